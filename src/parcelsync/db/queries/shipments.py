"""Shipment reads: get, lookup by natural key, and filtered keyset pagination with opaque cursors.

Paging is by keyset, never by offset: `(id)` by default, or `(updated_at, id)`. With the id order
every row that exists when the listing starts is returned exactly once, whatever is inserted or
updated meanwhile; with the updated_at order a row updated during the walk moves to the end and
may be seen again (which is what a "what changed since" reader wants). The filter and the cursor
codec are `shipment_filter`'s; the API, the dashboard and the CLI all page through `list_shipments`
(via `sync.shipment_listing`, which resolves a destination filter).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ARRAY, String, any_, cast, func, literal, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from parcelsync.db.queries.shipment_filter import (
    CursorError,
    ShipmentFilter,
    SortOrder,
    column_clauses,
    decode_cursor,
    encode_cursor,
    range_clauses,
)
from parcelsync.db.tables import ShipmentRow

__all__ = [
    "FEW_FOR_INDEX_SORT", "CursorError", "Page", "ShipmentFilter", "SortOrder", "find_by_numbers", "get_shipment",
    "list_shipments",
]


FEW_FOR_INDEX_SORT = 100_000
"""A range filter matching fewer live rows than this is read from its index and sorted by id there."""


async def _few_in_range(session: AsyncSession, merchant_id: str, ranges: list[ColumnElement[bool]]) -> bool:
    """Whether the live rows in these ranges are fewer than FEW_FOR_INDEX_SORT (counted on the index, bounded)."""
    inside = (
        select(literal(1))
        .where(ShipmentRow.merchant_id == merchant_id, ShipmentRow.deleted_at.is_(None), *ranges)
        .limit(FEW_FOR_INDEX_SORT)
        .subquery()
    )
    return (await session.scalar(select(func.count()).select_from(inside)) or 0) < FEW_FOR_INDEX_SORT


_CUSTOM_PLANS = text("SET LOCAL plan_cache_mode = force_custom_plan")
_DEFAULT_PLANS = text("SET LOCAL plan_cache_mode TO DEFAULT")
"""PostgreSQL: a prepared statement's sixth run may take a generic plan, blind to the values bound; around
a query whose plan depends on them (a tracking-number prefix, a long IN list), every run is planned for its own."""


@dataclass(frozen=True, slots=True)
class Page:
    """One page in listing order; `next_cursor` is None on the last page, `prev_cursor` on the first."""

    items: list[ShipmentRow]
    next_cursor: str | None
    prev_cursor: str | None = None


async def list_shipments(
    session: AsyncSession,
    merchant_id: str,
    filters: ShipmentFilter = ShipmentFilter(),
    *,
    limit: int = 100,
    cursor: str | None = None,
    before: str | None = None,
    sort: SortOrder = "id",
    newest_first: bool = False,
    destination: ColumnElement[bool] | None = None,
) -> Page:
    """One page of a merchant's live shipments, oldest first (or `newest_first`).

    `cursor` continues after the row it names; `before` (without `cursor`) goes back to the page ending just
    before the row it names. `destination` is the SQL of `filters.destination` (see `sync.shipment_listing`).

    In id order, a range filter that matches few rows takes its ids from the range's index, sorted
    there (`id + 0` keeps the planner off the primary key), then reads only the page: walking the
    primary key and filtering would read most of the table for a narrow prefix or a recent
    `updated_since`. A range matching many rows walks the primary key, which then finds a page fast.
    """
    if (filters.destination is None) != (destination is None):
        raise ValueError("a destination filter is resolved to SQL by sync.shipment_listing")
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    stmt = select(ShipmentRow).where(*column_clauses(merchant_id, filters, dialect))
    if destination is not None:
        stmt = stmt.where(destination)
    going_back = before is not None and cursor is None
    mark = before if going_back else cursor
    position = decode_cursor(mark, sort) if mark else None
    increasing = newest_first == going_back
    if position is not None:
        if sort == "updated_at":
            # A row-value comparison is a range seek on (merchant_id, updated_at, id); the equivalent
            # OR form makes SQLite walk the merchant's whole index prefix (120 ms vs 0.4 ms at 900k rows).
            key, value = tuple_(ShipmentRow.updated_at, ShipmentRow.id), (position.updated_at, position.id)
            stmt = stmt.where(key > value if increasing else key < value)
        else:
            stmt = stmt.where(ShipmentRow.id > position.id if increasing else ShipmentRow.id < position.id)
    order = (ShipmentRow.updated_at, ShipmentRow.id) if sort == "updated_at" else (ShipmentRow.id,)
    ordered = [c.asc() if increasing else c.desc() for c in order]
    ranges = range_clauses(filters, dialect)
    custom = dialect == "postgresql" and filters.tracking_number_prefix is not None
    if custom:  # a generic plan of `LIKE $1` cannot seek the prefix index: every run planned for its prefix
        await session.execute(_CUSTOM_PLANS)
    if sort == "id" and ranges and await _few_in_range(session, merchant_id, ranges):
        by_id = (ShipmentRow.id + 0).asc() if increasing else (ShipmentRow.id + 0).desc()
        page_ids = stmt.with_only_columns(ShipmentRow.id).order_by(by_id).limit(limit + 1)
        stmt = select(ShipmentRow).where(ShipmentRow.id.in_(page_ids.scalar_subquery()))
    rows = list((await session.scalars(stmt.order_by(*ordered).limit(limit + 1))).all())
    if custom:
        await session.execute(_DEFAULT_PLANS)
    more = len(rows) > limit
    rows = rows[:limit]
    if going_back:
        rows.reverse()
    has_next = True if going_back else more
    has_prev = more if going_back else position is not None
    return Page(
        rows,
        encode_cursor(rows[-1], sort) if rows and has_next else None,
        encode_cursor(rows[0], sort) if rows and has_prev else None,
    )


async def get_shipment(
    session: AsyncSession, merchant_id: str, shipment_id: int, *, include_deleted: bool = False
) -> ShipmentRow | None:
    stmt = select(ShipmentRow).where(ShipmentRow.merchant_id == merchant_id, ShipmentRow.id == shipment_id)
    if not include_deleted:
        stmt = stmt.where(ShipmentRow.deleted_at.is_(None))
    return await session.scalar(stmt)


async def find_by_numbers(
    session: AsyncSession, merchant_id: str, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], ShipmentRow]:
    """Existing shipments (soft-deleted included) by (carrier, tracking_number), in one SELECT."""
    wanted = set(keys)
    if not wanted:
        return {}
    numbers = sorted({number for _, number in wanted})
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    if dialect != "postgresql" or len(numbers) == 1:
        rows = await session.scalars(
            select(ShipmentRow).where(ShipmentRow.merchant_id == merchant_id, ShipmentRow.tracking_number.in_(numbers))
        )
        return {(r.carrier, r.tracking_number): r for r in rows if (r.carrier, r.tracking_number) in wanted}
    # A prepared statement's sixth run may take PostgreSQL's generic plan, which on a table without
    # statistics yet (a fresh one being loaded) is a scan comparing every row with every number:
    # 2 ms, then 50-90 ms per 500 numbers from an import's sixth chunk on, growing with the table.
    # A lookup of many numbers is always planned for its own; one array parameter keeps its text constant.
    await session.execute(_CUSTOM_PLANS)
    rows = await session.scalars(
        select(ShipmentRow).where(
            ShipmentRow.merchant_id == merchant_id, ShipmentRow.tracking_number == any_(cast(numbers, ARRAY(String())))
        )
    )
    found = {(r.carrier, r.tracking_number): r for r in rows if (r.carrier, r.tracking_number) in wanted}
    await session.execute(_DEFAULT_PLANS)
    return found
