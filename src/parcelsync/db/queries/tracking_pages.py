"""The buyer tracking page's reads and writes: the merchant's page settings, an order's parcels and checkpoints."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.db.tables import CheckpointRow, MerchantRow, ShipmentRow, TrackingPageRow

PAGE_FIELDS = (
    "display_name",
    "logo_url",
    "accent_color",
    "support_email",
    "message",
    "cors_origins",
    "frame_ancestors",
    "tracking_page_links",
)
MAX_PARCELS = 50
MAX_CHECKPOINTS = 100


async def get_page(session: AsyncSession, merchant_id: str) -> TrackingPageRow | None:
    return await session.get(TrackingPageRow, merchant_id)


async def merchant_and_page(
    session: AsyncSession, merchant_id: str
) -> tuple[MerchantRow, TrackingPageRow | None] | None:
    """The merchant and its page settings in one query (every public request needs both); None: no (active) merchant."""
    stmt = (
        select(MerchantRow, TrackingPageRow)
        .outerjoin(TrackingPageRow, TrackingPageRow.merchant_id == MerchantRow.id)
        .where(MerchantRow.id == merchant_id, MerchantRow.deactivated_at.is_(None))
    )
    found = (await session.execute(stmt)).first()
    return (found[0], found[1]) if found else None


async def save_page(session: AsyncSession, merchant_id: str, values: dict[str, Any]) -> TrackingPageRow:
    """Create or replace the merchant's page settings (every field of PAGE_FIELDS; missing ones are reset)."""
    row = await get_page(session, merchant_id)
    if row is None:
        row = TrackingPageRow(merchant_id=merchant_id, cors_origins=[], frame_ancestors=[], tracking_page_links=False)
        session.add(row)
    for name in PAGE_FIELDS:
        default: Any = (
            [] if name in ("cors_origins", "frame_ancestors") else (False if name == "tracking_page_links" else None)
        )
        setattr(row, name, values.get(name, default))
    await session.flush()
    return row


async def order_parcels(session: AsyncSession, merchant_id: str, order_id: str) -> list[ShipmentRow]:
    """The live parcels of one order of one merchant, oldest first (an index seek on merchant and order)."""
    stmt = (
        select(ShipmentRow)
        .where(
            ShipmentRow.merchant_id == merchant_id,
            ShipmentRow.order_id == order_id,
            ShipmentRow.deleted_at.is_(None),
        )
        .order_by(ShipmentRow.id)
        .limit(MAX_PARCELS)
    )
    return list((await session.scalars(stmt)).all())


async def checkpoints_of(session: AsyncSession, shipment_ids: Sequence[int]) -> dict[int, list[CheckpointRow]]:
    """Each parcel's checkpoints, newest first, at most MAX_CHECKPOINTS per parcel."""
    found: dict[int, list[CheckpointRow]] = {i: [] for i in shipment_ids}
    if not shipment_ids:
        return found
    stmt = (
        select(CheckpointRow)
        .where(CheckpointRow.shipment_id.in_(list(shipment_ids)))
        .order_by(CheckpointRow.shipment_id, CheckpointRow.time.desc(), CheckpointRow.id.desc())
    )
    for row in (await session.scalars(stmt)).all():
        bucket = found[row.shipment_id]
        if len(bucket) < MAX_CHECKPOINTS:
            bucket.append(row)
    return found
