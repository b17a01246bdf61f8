"""The session decision: ended, deactivated, absolute and idle timeouts, in that order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from parcelsync.security.web_sessions import SessionPolicy, SessionState, session_state

T0 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
POLICY = SessionPolicy(idle_s=7200, absolute_s=43200)


def state(*, age_s: float, idle_s: float, ended: bool = False, deactivated: bool = False) -> SessionState:
    now = T0 + timedelta(seconds=age_s)
    return session_state(
        POLICY, created_at=T0, last_seen_at=now - timedelta(seconds=idle_s),
        ended_at=T0 if ended else None, deactivated_at=T0 if deactivated else None, now=now,
    )  # fmt: skip


def test_live_until_either_timeout() -> None:
    assert state(age_s=43199, idle_s=7199) is SessionState.ACTIVE
    assert state(age_s=7200, idle_s=7200) is SessionState.IDLE
    assert state(age_s=43200, idle_s=0) is SessionState.EXPIRED


def test_ended_and_deactivated_win_over_everything() -> None:
    assert state(age_s=1, idle_s=0, ended=True) is SessionState.ENDED
    assert state(age_s=1, idle_s=0, deactivated=True) is SessionState.DEACTIVATED
