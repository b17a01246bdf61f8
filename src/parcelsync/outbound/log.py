"""Reading the delivery log: an endpoint's recent attempts, and its deliveries by state."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.db.tables import OutboundAttemptRow, OutboundDeliveryRow


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
