"""Carrier overrides as a use case: store the merchant's name for a carrier, then re-plan that carrier's shipments."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.db.queries import carrier_overrides as store
from parcelsync.db.tables import CarrierOverrideRow
from parcelsync.domain.carriers import default_registry
from parcelsync.domain.provider import Provider
from parcelsync.sync.planner import plan_carrier


async def set_override(
    session: AsyncSession, merchant_id: str, provider: Provider, carrier: str, code: str
) -> CarrierOverrideRow:
    """Map a carrier to the merchant's name for it at one provider; its shipments are sent again."""
    row = await store.set_override(session, merchant_id, provider, carrier, code)
    await plan_carrier(session, merchant_id, provider, row.carrier)
    return row


async def delete_override(session: AsyncSession, merchant_id: str, provider: Provider, carrier: str) -> bool:
    """Drop an override (False when there was none); its shipments are sent again with the default name."""
    if not await store.delete_override(session, merchant_id, provider, carrier):
        return False
    await plan_carrier(session, merchant_id, provider, default_registry().canonical(carrier))
    return True
