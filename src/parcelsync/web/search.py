"""The dashboard's shipment list order, its carrier choices, and one shipment's detail.

The list itself is the API's (`sync.shipment_listing`, one filter and one cursor), newest first.
Built to stay fast at a million rows: every page is one indexed range scan of at most
`limit + 1` rows (no OFFSET, no COUNT(*)). Unfiltered pages walk (merchant_id, updated_at, id);
a status or carrier filter walks its own (merchant_id, column, id) index (`sort_for`); a search
matches the indexed key columns exactly (tracking number also by prefix).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.db.queries.shipment_filter import CursorError, ShipmentFilter, SortOrder
from parcelsync.db.queries.shipments import Page
from parcelsync.db.tables import AuditRow, CheckpointRow, ShipmentRow, StatusEventRow, SyncTargetRow
from parcelsync.sync.destinations import read_destinations
from parcelsync.sync.keys import TargetKey
from parcelsync.sync.shipment_listing import list_shipments

PAGE_SIZE = 50
AUDIT_SCAN_LIMIT = 500


def sort_for(flt: ShipmentFilter) -> SortOrder:
    """The order whose index serves the filter: by id under a status or carrier filter, else by update time."""
    return "id" if flt.status or flt.carrier else "updated_at"


async def shipment_page(
    session: AsyncSession, merchant_id: str, flt: ShipmentFilter, *, after: str | None, before: str | None
) -> Page:
    """One page, newest first: `after` goes on to older rows, `before` back to newer ones. A cursor that
    is not this listing's (edited, or of the other order after the filters changed) starts from the newest."""
    sort = sort_for(flt)
    try:
        return await list_shipments(
            session, merchant_id, flt, limit=PAGE_SIZE, cursor=after, before=before, sort=sort, newest_first=True
        )
    except CursorError:
        return await list_shipments(session, merchant_id, flt, limit=PAGE_SIZE, sort=sort, newest_first=True)


async def carriers_in_use(session: AsyncSession, merchant_id: str, limit: int = 100) -> list[str]:
    """Distinct carriers of the merchant: a skip scan, one index probe per carrier, not a scan of every row."""
    found: list[str] = []
    while len(found) < limit:
        stmt = select(func.min(ShipmentRow.carrier)).where(ShipmentRow.merchant_id == merchant_id)
        if found:
            stmt = stmt.where(ShipmentRow.carrier > found[-1])
        carrier = await session.scalar(stmt)
        if carrier is None:
            break
        found.append(carrier)
    return found


@dataclass(frozen=True, slots=True)
class DestinationState:
    """Where one shipment stands at one destination."""

    provider: str
    target_key: str | None
    state: str
    reason: str | None
    target: SyncTargetRow | None
    last_call: AuditRow | None


@dataclass(frozen=True, slots=True)
class ShipmentDetail:
    shipment: ShipmentRow
    checkpoints: list[CheckpointRow]
    history: list[StatusEventRow]
    destinations: list[DestinationState]


async def get_shipment(session: AsyncSession, merchant_id: str, shipment_id: int) -> ShipmentRow | None:
    row = await session.get(ShipmentRow, shipment_id)
    return row if row is not None and row.merchant_id == merchant_id else None


async def _last_calls(session: AsyncSession, merchant_id: str, keys: set[TargetKey]) -> dict[TargetKey, AuditRow]:
    """The newest audit entry per target key, looking back over the merchant's latest calls per provider."""
    found: dict[TargetKey, AuditRow] = {}
    for provider in {k.provider for k in keys}:
        wanted = {k.key for k in keys if k.provider is provider}
        rows = await session.scalars(
            select(AuditRow)
            .where(AuditRow.merchant_id == merchant_id, AuditRow.provider == provider.value)
            .order_by(AuditRow.at.desc())
            .limit(AUDIT_SCAN_LIMIT)
        )
        for row in rows:
            for key in wanted.intersection(row.target_keys or []):
                found.setdefault(TargetKey(provider, key), row)
    return found


async def destination_states(session: AsyncSession, shipment: ShipmentRow) -> list[DestinationState]:
    """Every provider the merchant has a connection to (the API's read model), with the last call per target."""
    shown = [d for d in await read_destinations(session, shipment) if d.connected]
    keys = {d.key for d in shown if d.enabled and d.key is not None}
    calls = await _last_calls(session, shipment.merchant_id, keys) if keys else {}
    return [
        DestinationState(
            d.provider.value, d.key.key if d.key and d.enabled else None, d.state, d.reason, d.target,
            calls.get(d.key) if d.key else None,
        )
        for d in shown
    ]


async def shipment_detail(session: AsyncSession, merchant_id: str, shipment_id: int) -> ShipmentDetail | None:
    shipment = await get_shipment(session, merchant_id, shipment_id)
    if shipment is None:
        return None
    checkpoints = await session.scalars(
        select(CheckpointRow)
        .where(CheckpointRow.shipment_id == shipment.id)
        .order_by(CheckpointRow.time.desc())
        .limit(200)
    )
    history = await session.scalars(
        select(StatusEventRow).where(StatusEventRow.shipment_id == shipment.id).order_by(StatusEventRow.at).limit(200)
    )
    return ShipmentDetail(shipment, list(checkpoints), list(history), await destination_states(session, shipment))
