"""A merchant's own provider names for carriers, and a carrier registry with them applied (storage only:
`ingest.carrier_overrides` canonicalises the carrier and re-plans its shipments)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.db.results import rows_affected
from parcelsync.db.tables import CarrierOverrideRow
from parcelsync.domain.carriers import CarrierRegistry
from parcelsync.domain.provider import Provider


async def list_overrides(session: AsyncSession, merchant_id: str) -> list[CarrierOverrideRow]:
    stmt = (
        select(CarrierOverrideRow)
        .where(CarrierOverrideRow.merchant_id == merchant_id)
        .order_by(CarrierOverrideRow.provider, CarrierOverrideRow.carrier)
    )
    return list((await session.scalars(stmt)).all())


async def set_override(
    session: AsyncSession, merchant_id: str, provider: Provider, canonical: str, code: str
) -> CarrierOverrideRow:
    """Map a carrier (its canonical code) to the merchant's name for it at one provider."""
    row = await session.get(CarrierOverrideRow, (merchant_id, provider.value, canonical))
    if row is None:
        row = CarrierOverrideRow(merchant_id=merchant_id, provider=provider.value, carrier=canonical, code=code)
        session.add(row)
    else:
        row.code = code
    await session.flush()
    return row


async def delete_override(session: AsyncSession, merchant_id: str, provider: Provider, canonical: str) -> bool:
    result = await session.execute(
        delete(CarrierOverrideRow).where(
            CarrierOverrideRow.merchant_id == merchant_id,
            CarrierOverrideRow.provider == provider.value,
            CarrierOverrideRow.carrier == canonical,
        )
    )
    return bool(rows_affected(result))


async def registry_for(session: AsyncSession, merchant_id: str, base: CarrierRegistry) -> CarrierRegistry:
    """`base` (the connectors' `default_registry()`) with this merchant's overrides applied."""
    rows = await list_overrides(session, merchant_id)
    if not rows:  # the common case: the shared registry as is, without rebuilding its index per call
        return base
    return base.with_overrides((Provider(r.provider), r.carrier, r.code) for r in rows)
