"""The delivery outbox SQL: claim due deliveries under a lease, finish them, replay them.

Same machinery as the sync outbox (sync/outbox.py): a delivery is *due* when it is pending, its
`next_attempt_at` has come, nobody holds a live lease on it and its endpoint is enabled. PostgreSQL
claims with `FOR UPDATE SKIP LOCKED` inside one `WITH ... UPDATE ... RETURNING`, so concurrent
dispatchers never take the same row; SQLite (one writer) runs a guarded `UPDATE ... WHERE id IN
(SELECT ...)`. Every later write is guarded by `lease_owner`: a dispatcher that lost its lease (it was
killed, or too slow) changes nothing, and the delivery's new holder sends it again with the same
webhook-id.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, and_, bindparam, exists, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.db.results import rows_affected
from parcelsync.db.tables import EventRow, OutboundDeliveryRow, WebhookEndpointRow
from parcelsync.events.types import matches

D = OutboundDeliveryRow


@dataclass(frozen=True, slots=True)
class ClaimedDelivery:
    id: int
    endpoint_id: int
    event_id: int
    merchant_id: str
    attempts: int
    queued_at: datetime


def _lease_free(now: datetime) -> ColumnElement[bool]:
    return or_(D.lease_expires_at.is_(None), D.lease_expires_at <= now)


def due_condition(now: datetime) -> ColumnElement[bool]:
    """The named condition "this delivery may be claimed now"."""
    endpoint_on = exists().where(WebhookEndpointRow.id == D.endpoint_id, WebhookEndpointRow.enabled.is_(True))
    return and_(D.state == "pending", D.next_attempt_at <= now, _lease_free(now), endpoint_on)


class DeliveryOutbox:
    """Claims for one dispatcher process: the lease identity and the SQLite claim lock."""

    def __init__(self, *, owner: str, lease_seconds: float, batch_size: int = 100) -> None:
        self.owner = owner
        self.lease = timedelta(seconds=lease_seconds)
        self.batch_size = batch_size
        self._lock = asyncio.Lock()

    async def claim(self, session: AsyncSession, now: datetime, *, limit: int | None = None) -> list[ClaimedDelivery]:
        """Lease up to `limit` due deliveries, oldest due first (one statement)."""
        size = limit or self.batch_size
        pick = select(D.id).where(due_condition(now)).order_by(D.next_attempt_at, D.id).limit(size)
        dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
        if dialect == "postgresql":
            ids: Any = select(pick.with_for_update(skip_locked=True, of=D).cte("claimable").c.id)
        else:
            ids = pick
        stmt = (
            update(D)
            .where(D.id.in_(ids), _lease_free(now), D.state == "pending")
            .values(lease_owner=self.owner, lease_expires_at=now + self.lease)
            .returning(D.id, D.endpoint_id, D.event_id, D.merchant_id, D.attempts, D.queued_at)
            .execution_options(synchronize_session=False)
        )
        if dialect == "postgresql":
            rows = (await session.execute(stmt)).all()
        else:
            async with self._lock:
                rows = (await session.execute(stmt)).all()
        return sorted((ClaimedDelivery(*r) for r in rows), key=lambda d: d.id)


async def finish(session: AsyncSession, delivery_id: int, owner: str, **values: Any) -> bool:
    """End this owner's lease with the given changes; False when the lease was lost meanwhile."""
    result = await session.execute(
        update(D)
        .where(D.id == delivery_id, D.lease_owner == owner)
        .values(lease_owner=None, lease_expires_at=None, **values)
        .execution_options(synchronize_session=False)
    )
    return bool(rows_affected(result))


async def finish_delivered(
    session: AsyncSession, delivered: Sequence[dict[str, Any]], owner: str, *, now: datetime
) -> int:
    """Mark many deliveries delivered in one executemany (keys: delivery_id, attempts, status); returns how many."""
    if not delivered:
        return 0
    table = cast(Table, D.__table__)
    c = table.c
    stmt = (
        update(table)
        .where(c.id == bindparam("delivery_id"), c.lease_owner == owner)
        .values(
            state="delivered",
            delivered_at=now,
            attempts=bindparam("attempts"),
            last_status=bindparam("status"),
            reason=None,
            lease_owner=None,
            lease_expires_at=None,
        )
    )
    connection = await session.connection()
    await connection.execute(stmt, list(delivered))
    return len(delivered)


async def release(session: AsyncSession, ids: Sequence[int], owner: str) -> None:
    """Hand claimed deliveries back untouched (shutdown): due again at once."""
    if ids:
        await session.execute(
            update(D)
            .where(D.id.in_(list(ids)), D.lease_owner == owner)
            .values(lease_owner=None, lease_expires_at=None)
            .execution_options(synchronize_session=False)
        )


def _reset(now: datetime) -> dict[str, Any]:
    return {
        "state": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "queued_at": now,
        "reason": None,
        "lease_owner": None,
        "lease_expires_at": None,
    }


async def replay_delivery(
    session: AsyncSession, merchant_id: str, delivery_id: int, *, now: datetime, endpoint_id: int | None = None
) -> bool:
    """Send one delivery again (whatever its state), with the same webhook-id; False if there is none."""
    scope = [D.id == delivery_id, D.merchant_id == merchant_id]
    if endpoint_id is not None:
        scope.append(D.endpoint_id == endpoint_id)
    result = await session.execute(
        update(D).where(*scope).values(**_reset(now)).execution_options(synchronize_session=False)
    )
    return bool(rows_affected(result))


async def replay_range(
    session: AsyncSession,
    endpoint: WebhookEndpointRow,
    *,
    since: datetime,
    until: datetime,
    now: datetime,
    failed_only: bool = False,
) -> int:
    """Queue again every event of [since, until) the endpoint subscribes to (delivered ones too, unless
    `failed_only`), including events from before it existed or while it was off. Returns how many."""
    events = (
        await session.execute(
            select(EventRow.id, EventRow.type).where(
                EventRow.merchant_id == endpoint.merchant_id, EventRow.created_at >= since, EventRow.created_at < until
            )
        )
    ).all()
    wanted = [e.id for e in events if matches(e.type, endpoint.event_types)]
    if not wanted:
        return 0
    existing = dict(
        (
            await session.execute(
                select(D.event_id, D.state).where(D.endpoint_id == endpoint.id, D.event_id.in_(wanted))
            )
        ).all()
    )
    again = [eid for eid, state in existing.items() if not failed_only or state == "dead"]
    if again:
        await session.execute(
            update(D)
            .where(D.endpoint_id == endpoint.id, D.event_id.in_(again))
            .values(**_reset(now))
            .execution_options(synchronize_session=False)
        )
    fresh = [eid for eid in wanted if eid not in existing]
    if fresh and not failed_only:
        await session.execute(
            insert(D),
            [
                {
                    "merchant_id": endpoint.merchant_id,
                    "endpoint_id": endpoint.id,
                    "event_id": eid,
                    "created_at": now,
                    **_reset(now),
                }
                for eid in fresh
            ],
        )
    else:
        fresh = []
    return len(again) + len(fresh)
