"""Carrier overrides as a use case: store the merchant's name for a carrier, then re-plan that carrier's shipments."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.activity.record import Actor, record_activity
from parcelsync.connectors.carriers import default_registry
from parcelsync.db.queries import carrier_overrides as store
from parcelsync.db.tables import CarrierOverrideRow
from parcelsync.domain.provider import Provider
from parcelsync.sync.planner import plan_carrier


@dataclass(frozen=True, slots=True)
class OverrideSet:
    """The stored override, and how many of the provider's targets were queued to be sent again."""

    row: CarrierOverrideRow
    resent: int


async def set_override(
    session: AsyncSession,
    merchant_id: str,
    provider: Provider,
    carrier: str,
    code: str,
    *,
    actor: Actor | None = None,
) -> OverrideSet:
    """Map a carrier to the merchant's name for it at one provider; its shipments are sent again."""
    row = await store.set_override(session, merchant_id, provider, default_registry().canonical(carrier), code)
    resent = await plan_carrier(session, merchant_id, provider, row.carrier)
    if actor is not None:
        subject = f"carrier override {provider.value}/{row.carrier}"
        await record_activity(session, actor, "override.set", subject, {"code": row.code}, merchant_id=merchant_id)
    return OverrideSet(row, resent)


async def delete_override(
    session: AsyncSession, merchant_id: str, provider: Provider, carrier: str, *, actor: Actor | None = None
) -> int | None:
    """Drop an override; returns how many targets are sent again with the default name (None: there was none)."""
    canonical = default_registry().canonical(carrier)
    if not await store.delete_override(session, merchant_id, provider, canonical):
        return None
    resent = await plan_carrier(session, merchant_id, provider, canonical)
    if actor is not None:
        subject = f"carrier override {provider.value}/{canonical}"
        await record_activity(session, actor, "override.removed", subject, merchant_id=merchant_id)
    return resent
