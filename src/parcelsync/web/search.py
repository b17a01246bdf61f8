"""Shipment list (search, filters, keyset pages) and one shipment's detail, for the dashboard.

Built to stay fast at a million rows: every page is one indexed range scan of at most
`limit + 1` rows (no OFFSET, no COUNT(*)). Unfiltered pages walk (merchant_id, updated_at, id);
a status or carrier filter walks its own (merchant_id, column, id) index; a search matches the
indexed key columns exactly (tracking number also by prefix).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, exists, func, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from parcelsync.db.tables import AuditRow, CheckpointRow, ShipmentRow, StatusEventRow, SyncTargetRow
from parcelsync.domain.provider import Provider
from parcelsync.sync.destinations import read_destinations
from parcelsync.sync.gateways import default_gateway
from parcelsync.sync.keys import TargetKey, key_expression, keys_condition, selector_condition

PAGE_SIZE = 50
# Below this many matching targets a destination filter becomes an IN list on indexed shipment columns.
DEST_IN_LIST_MAX = 1000
AUDIT_SCAN_LIMIT = 500


@dataclass(frozen=True, slots=True)
class ShipmentFilter:
    q: str = ""
    status: str = ""
    carrier: str = ""
    destination: str = ""  # "<provider>:<state>", e.g. "<provider id>:parked"

    @property
    def ordered_by_update(self) -> bool:
        return not (self.status or self.carrier)

    def destination_parts(self) -> tuple[Provider, str] | None:
        provider, _, state = self.destination.partition(":")
        try:
            return Provider(provider), state
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class ShipmentPage:
    rows: list[ShipmentRow]
    next_cursor: str | None
    prev_cursor: str | None


def _cursor(row: ShipmentRow, by_update: bool) -> str:
    return f"{row.updated_at.isoformat()}~{row.id}" if by_update else str(row.id)


def _parse_cursor(cursor: str, by_update: bool) -> tuple[datetime, int] | int | None:
    try:
        if by_update:
            at, _, ident = cursor.rpartition("~")
            return datetime.fromisoformat(at), int(ident)
        return int(cursor)
    except ValueError:
        return None


def _search_clause(q: str) -> ColumnElement[bool]:
    numbers = {q, q.upper()}
    upper = q.upper()
    clauses: list[ColumnElement[bool]] = [
        ShipmentRow.tracking_number.in_(numbers),
        ShipmentRow.order_id == q,
        ShipmentRow.payment_intent_id == q,
        ShipmentRow.customer_email.in_({q, q.lower()}),
    ]
    if len(q) >= 4:
        clauses.append(and_(ShipmentRow.tracking_number >= upper, ShipmentRow.tracking_number < upper + "\uffff"))
    return or_(*clauses)


def _target_match(provider: Provider) -> ColumnElement[bool]:
    """The sync_targets row of `provider` that a shipment row feeds (correlated)."""
    return and_(
        SyncTargetRow.merchant_id == ShipmentRow.merchant_id,
        SyncTargetRow.provider == provider.value,
        SyncTargetRow.target_key == key_expression(provider),
    )


async def _destination_clause(
    session: AsyncSession, merchant_id: str, provider: Provider, state: str
) -> ColumnElement[bool]:
    """Few matching targets: an IN list on indexed shipment columns; many: a correlated EXISTS probe."""
    keys = list(
        await session.scalars(
            select(SyncTargetRow.target_key)
            .where(
                SyncTargetRow.merchant_id == merchant_id,
                SyncTargetRow.state == state,
                SyncTargetRow.provider == provider.value,
            )
            .limit(DEST_IN_LIST_MAX + 1)
        )
    )
    gateway = await default_gateway(session, merchant_id)
    if len(keys) <= DEST_IN_LIST_MAX:
        return keys_condition(provider, keys, gateway=gateway) if keys else ShipmentRow.id.is_(None)
    return and_(
        exists().where(_target_match(provider), SyncTargetRow.state == state),
        selector_condition(provider, gateway=gateway),
    )


async def list_shipments(
    session: AsyncSession,
    merchant_id: str,
    flt: ShipmentFilter,
    *,
    after: str | None = None,
    before: str | None = None,
    limit: int = PAGE_SIZE,
) -> ShipmentPage:
    """One page, newest first. `after` continues to older rows; `before` goes back to newer ones."""
    by_update = flt.ordered_by_update
    stmt: Select[ShipmentRow] = select(ShipmentRow).where(
        ShipmentRow.merchant_id == merchant_id, ShipmentRow.deleted_at.is_(None)
    )
    if flt.q:
        stmt = stmt.where(_search_clause(flt.q.strip()))
    if flt.status:
        stmt = stmt.where(ShipmentRow.status == flt.status)
    if flt.carrier:
        stmt = stmt.where(ShipmentRow.carrier == flt.carrier)
    dest = flt.destination_parts()
    if dest is not None:
        stmt = stmt.where(await _destination_clause(session, merchant_id, *dest))
    sort = (ShipmentRow.updated_at, ShipmentRow.id) if by_update else (ShipmentRow.id,)
    sort_key = tuple_(*sort) if by_update else ShipmentRow.id
    backwards = before is not None and after is None
    cursor = _parse_cursor(before if backwards else after, by_update) if (after or before) else None  # type: ignore[arg-type]
    if cursor is not None:
        value = tuple_(*cursor) if isinstance(cursor, tuple) else cursor
        stmt = stmt.where(sort_key > value if backwards else sort_key < value)
    order = [c.asc() for c in sort] if backwards else [c.desc() for c in sort]
    rows = list((await session.scalars(stmt.order_by(*order).limit(limit + 1))).all())
    more = len(rows) > limit
    rows = rows[:limit]
    if backwards:
        rows.reverse()
    has_older = more if not backwards else True
    has_newer = (cursor is not None) if not backwards else more
    return ShipmentPage(
        rows=rows,
        next_cursor=_cursor(rows[-1], by_update) if rows and has_older else None,
        prev_cursor=_cursor(rows[0], by_update) if rows and has_newer else None,
    )


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
