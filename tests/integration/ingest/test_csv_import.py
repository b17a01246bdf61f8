"""CSV import on SQLite and PostgreSQL: line-numbered rejections, dry runs, chunking, bounded reading."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from parcelsync.db.engine import make_sessionmaker, unit_of_work
from parcelsync.db.queries.merchants import create_merchant
from parcelsync.db.tables import ShipmentRow
from parcelsync.ingest.csv_import import CsvFormatError, import_csv
from parcelsync.ingest.demo import s10_number

pytestmark = pytest.mark.anyio
FIXTURES = Path(__file__).parents[2] / "fixtures" / "csv"


@pytest.fixture
async def sessions(engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    factory = make_sessionmaker(engine)
    async with unit_of_work(factory) as session:
        await create_merchant(session, "Acme", "acme")
    yield factory


async def stored(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return (await session.scalar(select(func.count()).select_from(ShipmentRow))) or 0


def open_fixture(name: str) -> io.TextIOWrapper:
    return (FIXTURES / name).open(newline="", encoding="utf-8-sig")


async def test_bad_rows_are_reported_with_their_line_numbers(sessions) -> None:  # type: ignore[no-untyped-def]
    with open_fixture("shipments_bad_rows.csv") as stream:
        report = await import_csv(stream, sessions, "acme")
    rejected = {(e.line, e.field) for e in report.errors}
    assert rejected == {
        (3, "tracking_number"),
        (4, "carrier"),
        (6, "customer_email"),
        (7, "destination_country"),
        (8, "ship_date"),
        (9, "status"),
        (10, "tracking_url"),
        (11, "row"),
    }
    assert (report.rows, report.created, report.rejected) == (10, 2, 8)
    assert await stored(sessions) == 2


async def test_good_file_with_quoted_newlines_imports_and_is_idempotent(sessions) -> None:  # type: ignore[no-untyped-def]
    with open_fixture("shipments_good.csv") as stream:
        first = await import_csv(stream, sessions, "acme")
    assert (first.created, first.rejected, first.errors) == (4, 0, [])
    async with sessions() as session:
        titles = set(await session.scalars(select(ShipmentRow.title)))
        carriers = set(await session.scalars(select(ShipmentRow.carrier)))
    assert "Silk scarf\n(gift wrapped)" in titles
    assert carriers == {"ups", "china-post", "royal-mail", "yunexpress"}
    with open_fixture("shipments_good.csv") as stream:
        second = await import_csv(stream, sessions, "acme")
    assert (second.created, second.updated, second.unchanged) == (0, 0, 4)


async def test_dry_run_writes_nothing(sessions) -> None:  # type: ignore[no-untyped-def]
    with open_fixture("shipments_bad_rows.csv") as stream:
        report = await import_csv(stream, sessions, "acme", dry_run=True)
    assert (report.dry_run, report.created, report.rejected) == (True, 2, 8)
    assert await stored(sessions) == 0


async def test_unknown_columns_stop_the_import_naming_them(sessions) -> None:  # type: ignore[no-untyped-def]
    with open_fixture("shipments_unknown_column.csv") as stream, pytest.raises(CsvFormatError, match="colour"):
        await import_csv(stream, sessions, "acme")
    assert await stored(sessions) == 0


@pytest.mark.parametrize("text", ["", "\n\n", "carrier,order_id\nups,1\n"])
async def test_empty_file_or_no_tracking_number_column(sessions, text: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CsvFormatError):
        await import_csv(io.StringIO(text), sessions, "acme")


async def test_overlong_row_is_rejected_and_the_next_row_still_imports(sessions) -> None:  # type: ignore[no-untyped-def]
    text = "tracking_number,title\n" + f"{s10_number(1)},{'x' * 10_000}\n" + f"{s10_number(2)},ok\n"
    report = await import_csv(io.StringIO(text), sessions, "acme", max_row_bytes=4096)
    assert [(e.line, e.field) for e in report.errors] == [(2, "row")]
    assert report.created == 1


async def test_row_limit_stops_the_import(sessions) -> None:  # type: ignore[no-untyped-def]
    text = "tracking_number\n" + "".join(f"{s10_number(i)}\n" for i in range(5))
    report = await import_csv(io.StringIO(text), sessions, "acme", max_rows=3)
    assert report.aborted is not None and "line 5" in report.aborted
    assert report.rows == 3


class ReadlineOnly(io.StringIO):
    """A stream that fails on any whole-file read and records the largest read it was asked for."""

    largest = 0

    def read(self, size: int | None = -1) -> str:
        raise AssertionError("the importer must not read the whole file")

    def readline(self, size: int | None = -1) -> str:
        assert size is not None and size > 0, "every line read must be bounded"
        self.largest = max(self.largest, size)
        return super().readline(size)

    def __iter__(self):  # type: ignore[no-untyped-def]
        raise AssertionError("the importer must bound every line it reads")


async def test_reads_the_stream_line_by_line_in_chunks(sessions) -> None:  # type: ignore[no-untyped-def]
    text = "tracking_number,order_id\n" + "".join(f"{s10_number(i)},o{i}\n" for i in range(1200))
    stream = ReadlineOnly(text)
    seen: list[int] = []
    report = await import_csv(stream, sessions, "acme", chunk_size=500, max_row_bytes=1000, progress=seen.append)
    assert report.created == 1200
    assert seen == [500, 1000, 1200]
    assert stream.largest == 1001
    assert await stored(sessions) == 1200


async def test_duplicates_across_chunks_update_the_first(sessions) -> None:  # type: ignore[no-untyped-def]
    number = s10_number(7)
    text = f"tracking_number,title\n{number},first\n{s10_number(8)},x\n{number},second\n"
    report = await import_csv(io.StringIO(text), sessions, "acme", chunk_size=2)
    assert (report.created, report.updated) == (2, 1)
    async with sessions() as session:
        assert await session.scalar(select(ShipmentRow.title).where(ShipmentRow.tracking_number == number)) == "second"
