"""The delivery log: an endpoint's recent attempts, its deliveries by state, and pruning past the retention."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from parcelsync.db.engine import unit_of_work
from parcelsync.db.tables import OutboundAttemptRow, OutboundDeliveryRow

PRUNE_CHUNK = 5000


async def recent_attempts(
    session: AsyncSession, merchant_id: str, endpoint_id: int, *, limit: int = 50, before: int | None = None
) -> list[OutboundAttemptRow]:
    """The newest attempts first (id < before)."""
    stmt = select(OutboundAttemptRow).where(
        OutboundAttemptRow.merchant_id == merchant_id, OutboundAttemptRow.endpoint_id == endpoint_id
    )
    if before is not None:
        stmt = stmt.where(OutboundAttemptRow.id < before)
    return list((await session.scalars(stmt.order_by(OutboundAttemptRow.id.desc()).limit(limit))).all())


async def delivery_counts(session: AsyncSession, merchant_id: str, endpoint_id: int) -> dict[str, int]:
    """How many of the endpoint's deliveries are pending, delivered, dead."""
    rows = await session.execute(
        select(OutboundDeliveryRow.state, func.count())
        .where(OutboundDeliveryRow.merchant_id == merchant_id, OutboundDeliveryRow.endpoint_id == endpoint_id)
        .group_by(OutboundDeliveryRow.state)
    )
    counts = {"pending": 0, "delivered": 0, "dead": 0}
    counts.update({state: int(n) for state, n in rows})
    return counts


async def prune_delivery_log(sessions: async_sessionmaker[AsyncSession], *, older_than: datetime) -> int:
    """Delete finished deliveries (delivered or dead) and attempts older than `older_than`, in chunks."""
    total = 0
    for table, column, extra in (
        (OutboundAttemptRow, OutboundAttemptRow.at, ()),
        (OutboundDeliveryRow, OutboundDeliveryRow.created_at, (OutboundDeliveryRow.state.in_(("delivered", "dead")),)),
    ):
        while True:
            async with unit_of_work(sessions) as session:
                ids = (
                    await session.scalars(select(table.id).where(column < older_than, *extra).limit(PRUNE_CHUNK))
                ).all()
                if ids:
                    await session.execute(delete(table).where(table.id.in_(list(ids))))
            total += len(ids)
            if len(ids) < PRUNE_CHUNK:
                break
    return total


async def restart_window(session: AsyncSession, endpoint_id: int, *, now: datetime) -> None:
    """An endpoint switched back on: its waiting deliveries are due now, with a fresh retry window."""
    await session.execute(
        update(OutboundDeliveryRow)
        .where(OutboundDeliveryRow.endpoint_id == endpoint_id, OutboundDeliveryRow.state == "pending")
        .values(queued_at=now, next_attempt_at=now, attempts=0)
        .execution_options(synchronize_session=False)
    )
