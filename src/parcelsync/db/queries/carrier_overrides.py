"""A merchant's own provider names for carriers, and the carrier registry with them applied (storage only:
`ingest.carrier_overrides` re-plans the carrier's shipments)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.db.results import rows_affected
from parcelsync.db.tables import CarrierOverrideRow
from parcelsync.domain.carriers import CarrierRegistry, default_registry
from parcelsync.domain.provider import Provider


async def list_overrides(session: AsyncSession, merchant_id: str) -> list[CarrierOverrideRow]:
    stmt = (
        select(CarrierOverrideRow)
        .where(CarrierOverrideRow.merchant_id == merchant_id)
        .order_by(CarrierOverrideRow.provider, CarrierOverrideRow.carrier)
    )
    return list((await session.scalars(stmt)).all())


async def set_override(
    session: AsyncSession, merchant_id: str, provider: Provider, carrier: str, code: str
) -> CarrierOverrideRow:
    """Map a carrier (canonicalised through the registry) to the merchant's name for it at one provider."""
    canonical = default_registry().canonical(carrier)
    row = await session.get(CarrierOverrideRow, (merchant_id, provider.value, canonical))
    if row is None:
        row = CarrierOverrideRow(merchant_id=merchant_id, provider=provider.value, carrier=canonical, code=code)
        session.add(row)
    else:
        row.code = code
    await session.flush()
    return row


async def delete_override(session: AsyncSession, merchant_id: str, provider: Provider, carrier: str) -> bool:
    canonical = default_registry().canonical(carrier)
    result = await session.execute(
        delete(CarrierOverrideRow).where(
            CarrierOverrideRow.merchant_id == merchant_id,
            CarrierOverrideRow.provider == provider.value,
            CarrierOverrideRow.carrier == canonical,
        )
    )
    return bool(rows_affected(result))


async def registry_for(session: AsyncSession, merchant_id: str) -> CarrierRegistry:
    """The default registry with this merchant's overrides applied."""
    rows = await list_overrides(session, merchant_id)
    if not rows:  # the common case: the shared registry as is, without rebuilding its index per call
        return default_registry()
    return default_registry().with_overrides((Provider(r.provider), r.carrier, r.code) for r in rows)
