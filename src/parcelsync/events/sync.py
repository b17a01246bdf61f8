"""The events the sync worker causes: a target given up (parked or dead) and recovered, a connection paused
and resumed. Pauses and recoveries are transitions: a connection rate-limited ten times is paused once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol, cast

from sqlalchemy import Table, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.db.tables import EventRow
from parcelsync.events.record import NewEvent, record_event, record_events, record_transition
from parcelsync.events.types import EventType

FAILED = (EventType.SYNC_FAILED, EventType.SYNC_RECOVERED)
PAUSED = (EventType.CONNECTION_PAUSED, EventType.CONNECTION_RESUMED)
E = cast(Table, EventRow.__table__).c
_LAST_FAILURES = (
    select(E.subject, E.type)
    .where(
        E.merchant_id == bindparam("merchant"),
        E.subject.in_(bindparam("subjects", expanding=True)),
        E.type.in_([t.value for t in FAILED]),
    )
    .order_by(E.id)
)
"""Built once: the failed/recovered events of a batch's subjects (every successful batch runs it)."""


def target_subject(provider: str, key: str) -> str:
    return f"target:{provider}:{key}"


def connection_subject(provider: str) -> str:
    return f"connection:{provider}"


class GaveUp(Protocol):
    """The worker's decision to stop retrying a target (sync.retry.GiveUp)."""

    @property
    def state(self) -> str: ...

    @property
    def reason(self) -> str: ...


async def target_failed(session: AsyncSession, merchant_id: str, provider: str, key: str, decision: GaveUp) -> int:
    """`sync.failed`: a destination target was parked (fixable) or is dead (out of attempts), with the reason."""
    data = {"provider": provider, "target_key": key, "state": decision.state, "reason": decision.reason}
    return await record_event(session, merchant_id, EventType.SYNC_FAILED, data, subject=target_subject(provider, key))


async def targets_synced(session: AsyncSession, merchant_id: str, provider: str, results: Sequence[Any]) -> int:
    """`sync.recovered` for each target of a batch's results (sync.destinations.base.TargetResult) that went
    through and whose last sync event was a failure; returns how many."""
    keys = [r.snapshot.target.key for r in results if r.error is None]
    if not keys:
        return 0
    subjects = {target_subject(provider, k): k for k in keys}
    rows = await session.execute(_LAST_FAILURES, {"merchant": merchant_id, "subjects": list(subjects)})
    last: dict[str, str] = {subject: type_ for subject, type_ in rows if subject is not None}
    recovered = [
        NewEvent(EventType.SYNC_RECOVERED, {"provider": provider, "target_key": subjects[s]}, subject=s)
        for s, type_ in sorted(last.items())
        if type_ == EventType.SYNC_FAILED.value
    ]
    await record_events(session, merchant_id, recovered)
    return len(recovered)


async def connection_paused(
    session: AsyncSession, merchant_id: str, provider: str, until: datetime, reason: str
) -> int | None:
    data = {"provider": provider, "until": until.isoformat(), "reason": reason}
    subject = connection_subject(provider)
    return await record_transition(session, merchant_id, subject, EventType.CONNECTION_PAUSED, PAUSED, data)


async def connection_resumed(session: AsyncSession, merchant_id: str, provider: str) -> int | None:
    subject = connection_subject(provider)
    data = {"provider": provider}
    return await record_transition(session, merchant_id, subject, EventType.CONNECTION_RESUMED, PAUSED, data)
