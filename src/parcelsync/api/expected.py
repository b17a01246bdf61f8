"""Shipments as the API shows them, with their expected delivery window (from the worker's statistics)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.api.schemas import ExpectedDeliveryOut, ShipmentOut, shipment_out
from parcelsync.db.tables import ShipmentRow
from parcelsync.expected.store import expected_for


async def shipments_out(session: AsyncSession, rows: Sequence[ShipmentRow]) -> list[ShipmentOut]:
    if not rows:
        return []
    windows = await expected_for(session, rows[0].merchant_id, rows)
    out = []
    for row in rows:
        item = shipment_out(row)
        window = windows[row.id]
        item.expected_delivery = ExpectedDeliveryOut(earliest=window.earliest, latest=window.latest, basis=window.basis)
        out.append(item)
    return out


async def shipment_out_with_expected(session: AsyncSession, row: ShipmentRow) -> ShipmentOut:
    return (await shipments_out(session, [row]))[0]
