"""Reading events: the merchant's feed (oldest first after a cursor) and the retention prune."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from parcelsync.db.engine import unit_of_work
from parcelsync.db.tables import EventRow

PRUNE_CHUNK = 5000


async def list_events(
    session: AsyncSession,
    merchant_id: str,
    *,
    after: int | None = None,
    types: Sequence[str] = (),
    shipment_id: int | None = None,
    limit: int = 100,
) -> list[EventRow]:
    """Events with id > `after`, oldest first, optionally of some types or about one shipment."""
    stmt = select(EventRow).where(EventRow.merchant_id == merchant_id)
    if after is not None:
        stmt = stmt.where(EventRow.id > after)
    if types:
        stmt = stmt.where(EventRow.type.in_(list(types)))
    if shipment_id is not None:
        stmt = stmt.where(EventRow.shipment_id == shipment_id)
    return list((await session.scalars(stmt.order_by(EventRow.id).limit(limit))).all())


async def prune_events(sessions: async_sessionmaker[AsyncSession], *, older_than: datetime) -> int:
    """Delete events older than `older_than` in chunks (each its own short transaction); returns how many."""
    total = 0
    while True:
        async with unit_of_work(sessions) as session:
            ids = (
                await session.scalars(select(EventRow.id).where(EventRow.created_at < older_than).limit(PRUNE_CHUNK))
            ).all()
            if ids:
                await session.execute(delete(EventRow).where(EventRow.id.in_(list(ids))))
        total += len(ids)
        if len(ids) < PRUNE_CHUNK:
            return total
