"""The pure half of the database rate limiter: windows, the sliding estimate and the decision."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcelsync.security.db_throttle import Limit, Usage, decide, stored_key, window_start

T0 = datetime(2026, 12, 1, 12, 0, 0, tzinfo=UTC)


def test_windows_are_aligned_to_the_epoch() -> None:
    assert window_start(T0 + timedelta(seconds=59.9), 60) == T0
    assert window_start(T0 + timedelta(seconds=60), 60) == T0 + timedelta(seconds=60)
    assert window_start(T0 + timedelta(minutes=14), 900) == T0
    assert window_start((T0 + timedelta(seconds=5)).replace(tzinfo=None), 60) == T0


def test_estimate_weighs_the_previous_window_by_its_overlap() -> None:
    assert Usage(current=2, previous=10, window_s=60, elapsed_s=0).estimate == 12
    assert Usage(current=2, previous=10, window_s=60, elapsed_s=30).estimate == 7
    assert Usage(current=2, previous=10, window_s=60, elapsed_s=60).estimate == 2


def test_consumed_hits_are_allowed_up_to_the_limit() -> None:
    limit = Limit(5, 60)
    assert decide(limit, Usage(5, 0, 60, 10)).allowed
    blocked = decide(limit, Usage(6, 0, 60, 10))
    assert not blocked.allowed
    assert blocked.remaining == 0
    assert blocked.retry_after_s == pytest.approx(50 + 60 * (1 - 5 / 6))


def test_a_check_before_an_attempt_costs_one() -> None:
    limit = Limit(5, 900)
    assert decide(limit, Usage(4, 0, 900, 0), cost=1).allowed
    blocked = decide(limit, Usage(5, 0, 900, 100), cost=1)
    assert not blocked.allowed
    assert blocked.retry_after_header == str(math.ceil(800 + 900 * (1 - 4 / 5)))


def test_a_burst_across_the_boundary_does_not_double_the_limit() -> None:
    limit = Limit(10, 60)
    # 10 hits at the very end of one window, then 1 at the start of the next: still blocked.
    assert not decide(limit, Usage(current=1, previous=10, window_s=60, elapsed_s=1)).allowed


def test_the_previous_window_decays_within_the_current_one() -> None:
    limit = Limit(10, 60)
    decision = decide(limit, Usage(current=2, previous=10, window_s=60, elapsed_s=6), cost=1)
    assert not decision.allowed
    # previous * (1 - (6 + t) / 60) <= 7  ->  t >= 12
    assert decision.retry_after_s == pytest.approx(12)


def test_a_cost_beyond_the_limit_is_never_allowed() -> None:
    decision = decide(Limit(2, 60), Usage(0, 0, 60, 0), cost=3)
    assert not decision.allowed
    assert math.isinf(decision.retry_after_s or 0)
    assert int(decision.retry_after_header) > 86400


def test_limits_refuse_nonsense_and_mismatched_windows() -> None:
    with pytest.raises(ValueError):
        Limit(1, 0)
    with pytest.raises(ValueError):
        decide(Limit(1, 60), Usage(0, 0, 30, 0))


def test_long_keys_are_stored_hashed_and_distinct() -> None:
    assert stored_key("login:addr:127.0.0.1") == "login:addr:127.0.0.1"
    a, b = stored_key("k" * 300), stored_key("k" * 299 + "j")
    assert len(a) <= 200 and a != b


@given(
    max_hits=st.integers(0, 50),
    current=st.integers(0, 80),
    previous=st.integers(0, 80),
    elapsed=st.floats(0, 59.999),
    cost=st.integers(0, 3),
)
def test_waiting_retry_after_is_exactly_enough(
    max_hits: int, current: int, previous: int, elapsed: float, cost: int
) -> None:
    """After `retry_after_s` (nothing new counted) the request is allowed; a bit earlier it is not."""
    limit, w = Limit(max_hits, 60), 60
    decision = decide(limit, Usage(current, previous, w, elapsed), cost=cost)
    if decision.allowed or decision.retry_after_s is None or math.isinf(decision.retry_after_s):
        return

    def usage_after(t: float) -> Usage:
        at = elapsed + t
        if at < w:
            return Usage(current, previous, w, at)
        if at < 2 * w:
            return Usage(0, current, w, at - w)
        return Usage(0, 0, w, at - 2 * w)

    wait = decision.retry_after_s
    assert decide(limit, usage_after(wait + 1e-6), cost=cost).allowed
    if wait > 1e-3:
        assert not decide(limit, usage_after(wait - 1e-3), cost=cost).allowed
