"""Shipment listing: filters and keyset cursors return every row exactly once, scoped by merchant."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import event, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from parcelsync.db.base import utcnow
from parcelsync.db.engine import make_sessionmaker, unit_of_work
from parcelsync.db.queries import shipments as shipment_queries
from parcelsync.db.queries.merchants import create_merchant
from parcelsync.db.queries.shipments import CursorError, ShipmentFilter, SortOrder, list_shipments
from parcelsync.db.tables import ShipmentRow
from parcelsync.ingest.demo import s10_number
from parcelsync.ingest.service import upsert_shipments

pytestmark = pytest.mark.anyio


@pytest.fixture
async def sessions(engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    factory = make_sessionmaker(engine)
    async with unit_of_work(factory) as session:
        await create_merchant(session, "Acme", "acme")
        await create_merchant(session, "Other", "other")
        items = [
            {
                "tracking_number": s10_number(i),
                "order_id": f"o{i % 7}",
                "status": "delivered" if i % 3 == 0 else "in_transit",
                "destination_country": "US" if i % 2 else "GB",
            }
            for i in range(53)
        ]
        await upsert_shipments(session, "acme", items)
        await upsert_shipments(session, "other", items[:10])
    yield factory


async def walk(
    sessions: async_sessionmaker[AsyncSession], filters: ShipmentFilter, *, limit: int, sort: SortOrder = "id"
) -> list[int]:
    seen: list[int] = []
    cursor = None
    while True:
        async with sessions() as session:
            page = await list_shipments(session, "acme", filters, limit=limit, cursor=cursor, sort=sort)
        assert len(page.items) <= limit
        seen.extend(row.id for row in page.items)
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor


async def all_ids(sessions: async_sessionmaker[AsyncSession], filters: ShipmentFilter) -> list[int]:
    async with sessions() as session:
        return [r.id for r in (await list_shipments(session, "acme", filters, limit=10_000)).items]


@pytest.mark.parametrize("limit", [1, 7, 53, 100])
@pytest.mark.parametrize("sort", ["id", "updated_at"])
async def test_every_row_exactly_once(sessions, limit: int, sort: SortOrder) -> None:  # type: ignore[no-untyped-def]
    ids = await walk(sessions, ShipmentFilter(), limit=limit, sort=sort)
    assert len(ids) == 53 and len(set(ids)) == 53


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (ShipmentFilter(status="delivered"), 18),
        (ShipmentFilter(order_id="o3"), 8),
        (ShipmentFilter(status="in_transit", destination_country="US"), 17),
        (ShipmentFilter(tracking_number_prefix="LX0000001"), 10),
        (ShipmentFilter(carrier="china-post", order_id="o0", status="delivered"), 3),
        (ShipmentFilter(carrier="ups"), 0),
    ],
)
async def test_filters_page_through_exactly_the_matching_rows(sessions, filters, expected: int) -> None:  # type: ignore[no-untyped-def]
    ids = await walk(sessions, filters, limit=4)
    assert len(ids) == expected
    assert sorted(ids) == sorted(await all_ids(sessions, filters))


async def test_same_updated_at_is_paged_by_id(sessions) -> None:  # type: ignore[no-untyped-def]
    async with unit_of_work(sessions) as session:
        await session.execute(update(ShipmentRow).values(updated_at=utcnow()))
    ids = await walk(sessions, ShipmentFilter(), limit=5, sort="updated_at")
    assert ids == sorted(ids) and len(set(ids)) == 53


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # EXPLAIN QUERY PLAN is SQLite's
async def test_updated_at_cursor_is_an_index_seek(sessions, engine: AsyncEngine) -> None:  # type: ignore[no-untyped-def]
    """The (updated_at, id) cursor must seek into the index, not walk the merchant's rows from the start."""
    statements: list[tuple[str, object]] = []

    def keep(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT") and "FROM shipments" in statement:
            statements.append((statement, parameters))

    first = await walk(sessions, ShipmentFilter(), limit=5, sort="updated_at")
    async with sessions() as session:
        page = await list_shipments(session, "acme", ShipmentFilter(), limit=5, sort="updated_at")
        event.listen(engine.sync_engine, "before_cursor_execute", keep)
        try:
            second = await list_shipments(session, "acme", ShipmentFilter(), limit=5, cursor=page.next_cursor,
                                          sort="updated_at")
        finally:
            event.remove(engine.sync_engine, "before_cursor_execute", keep)
        statement, parameters = statements[-1]
        conn = await session.connection()
        explained = await conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)  # type: ignore[arg-type]
        plan = " ".join(str(row[-1]) for row in explained.all())
    assert [r.id for r in second.items] == first[5:10]
    assert "updated_at>?" in plan.replace(" ", ""), plan


async def test_updated_since(sessions) -> None:  # type: ignore[no-untyped-def]
    later = utcnow() + timedelta(hours=1)
    async with unit_of_work(sessions) as session:
        await session.execute(update(ShipmentRow).where(ShipmentRow.order_id == "o1").values(updated_at=later))
    ids = await walk(sessions, ShipmentFilter(updated_since=later - timedelta(minutes=1)), limit=3, sort="updated_at")
    assert len(ids) == 8


async def test_rows_inserted_while_paging_by_id_do_not_disturb_the_walk(sessions) -> None:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        first = await list_shipments(session, "acme", limit=10)
    async with unit_of_work(sessions) as session:
        await upsert_shipments(session, "acme", [{"tracking_number": s10_number(900 + i)} for i in range(5)])
    seen = [r.id for r in first.items]
    cursor = first.next_cursor
    while cursor:
        async with sessions() as session:
            page = await list_shipments(session, "acme", limit=10, cursor=cursor)
        seen.extend(r.id for r in page.items)
        cursor = page.next_cursor
    assert len(seen) == len(set(seen)) == 58


async def test_like_wildcards_in_the_prefix_are_literal(sessions) -> None:  # type: ignore[no-untyped-def]
    assert await walk(sessions, ShipmentFilter(tracking_number_prefix="%"), limit=10) == []
    assert await walk(sessions, ShipmentFilter(tracking_number_prefix="L_"), limit=10) == []


@pytest.mark.parametrize(
    "cursor", ["not-base64!", "e30", "eyJzIjoidXBkYXRlZF9hdCIsImlkIjoxfQ", "eyJzIjoiaWQiLCJpZCI6IngifQ"]
)
async def test_bad_or_foreign_cursors_are_refused(sessions, cursor: str) -> None:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        with pytest.raises(CursorError):
            await list_shipments(session, "acme", cursor=cursor, sort="id")


async def test_listing_is_scoped_by_merchant(sessions) -> None:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        other = (await list_shipments(session, "other", limit=100)).items
        nobody = (await list_shipments(session, "nobody", limit=100)).items
    assert len(other) == 10 and {r.merchant_id for r in other} == {"other"}
    assert nobody == []


@pytest.mark.parametrize("few", [1, 100_000], ids=["primary-key-walk", "index-range-sort"])
@pytest.mark.parametrize(
    "filters",
    [
        ShipmentFilter(tracking_number_prefix="LX00000"),
        ShipmentFilter(tracking_number_prefix="lx0000001"),
        ShipmentFilter(tracking_number_prefix="LX0000002", status="delivered"),
        ShipmentFilter(updated_since=utcnow() - timedelta(days=1)),
        ShipmentFilter(tracking_number_prefix="LX", updated_since=utcnow() - timedelta(days=1)),
    ],
)
async def test_range_filters_page_the_same_either_way(  # type: ignore[no-untyped-def]
    sessions, filters: ShipmentFilter, few: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Few matches are sorted from the range's index, many walk the primary key: the same rows, once each."""
    async with sessions() as session:
        rows = (await list_shipments(session, "acme", ShipmentFilter(), limit=10_000)).items
    prefix = (filters.tracking_number_prefix or "").upper()
    since = filters.updated_since
    expected = [
        r.id for r in rows
        if r.tracking_number.startswith(prefix) and (since is None or r.updated_at >= since)
        and (filters.status is None or r.status == filters.status)
    ]
    monkeypatch.setattr(shipment_queries, "FEW_FOR_INDEX_SORT", few)
    assert expected and await walk(sessions, filters, limit=4) == expected


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # EXPLAIN QUERY PLAN is SQLite's
async def test_a_prefix_seeks_the_live_number_index(sessions, engine: AsyncEngine) -> None:  # type: ignore[no-untyped-def]
    statements: list[tuple[str, object]] = []

    def keep(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT") and "FROM shipments" in statement:
            statements.append((statement, parameters))

    async with sessions() as session:
        event.listen(engine.sync_engine, "before_cursor_execute", keep)
        try:
            await list_shipments(session, "acme", ShipmentFilter(tracking_number_prefix="LX0000001"), limit=5)
        finally:
            event.remove(engine.sync_engine, "before_cursor_execute", keep)
        conn = await session.connection()
        plans = []
        for statement, parameters in statements:
            explained = await conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)  # type: ignore[arg-type]
            plans.append(" ".join(str(row[-1]) for row in explained.all()))
    assert all("ix_shipments_live_number" in plan for plan in plans), plans
    assert not any("SCAN shipments" in plan for plan in plans), plans
