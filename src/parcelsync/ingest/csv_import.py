"""Streaming CSV import: header names are ShipmentIn field names; rows go in chunks, one transaction each.

The file is read line by line (never whole); a line longer than the row limit is rejected
without being held in memory. Per-row problems become RowErrors with the row's first line number
(the header is line 1) and never stop the import; a bad header or too many rows do.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TextIO

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from parcelsync.connectors.carriers import default_registry
from parcelsync.db.engine import unit_of_work
from parcelsync.ingest.schema import SHIPMENT_FIELDS
from parcelsync.ingest.service import upsert_shipments

MAX_KEPT_ERRORS = 1000


class CsvFormatError(ValueError):
    """The file cannot be imported at all (for instance, its header names unknown columns)."""


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    field: str
    reason: str


@dataclass
class ImportReport:
    """What an import did; `errors` keeps the first MAX_KEPT_ERRORS rejected rows' reasons."""

    dry_run: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    aborted: str | None = None

    @property
    def errors_truncated(self) -> bool:
        return self.rejected > len({e.line for e in self.errors})

    def reject(self, line: int, field_name: str, reason: str) -> None:
        if len(self.errors) < MAX_KEPT_ERRORS:
            self.errors.append(RowError(line, field_name, reason))


class _BoundedLines:
    """Physical lines of a text stream, each read with a length bound; overlong lines are skipped and noted."""

    def __init__(self, stream: TextIO, max_bytes: int) -> None:
        self._stream = stream
        self._max = max_bytes
        self.number = 0
        self.overlong: set[int] = set()

    def __iter__(self) -> Iterator[str]:
        while True:
            line = self._stream.readline(self._max + 1)
            if not line:
                return
            self.number += 1
            if self._too_long(line):
                self.overlong.add(self.number)
                while line and not line.endswith(("\n", "\r")):
                    line = self._stream.readline(self._max + 1)
                yield "\n"
                continue
            yield line

    def _too_long(self, line: str) -> bool:
        if len(line) * 4 <= self._max:
            return False
        return len(line.rstrip("\r\n").encode()) > self._max


def _header(row: list[str]) -> list[str]:
    names = [name.strip().lower() for name in row]
    unknown = [n for n in names if n not in SHIPMENT_FIELDS]
    if unknown:
        raise CsvFormatError(f"unknown column(s): {', '.join(unknown)}; allowed: {', '.join(SHIPMENT_FIELDS)}")
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise CsvFormatError(f"duplicated column(s): {', '.join(duplicated)}")
    if "tracking_number" not in names:
        raise CsvFormatError("the header must include a tracking_number column")
    return names


async def import_csv(
    stream: TextIO,
    sessions: async_sessionmaker[AsyncSession],
    merchant_id: str,
    *,
    max_row_bytes: int = 4096,
    max_rows: int = 1_000_000,
    chunk_size: int = 500,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import shipments from a CSV text stream (open it with newline="" and encoding "utf-8-sig")."""
    report = ImportReport(dry_run=dry_run)
    lines = _BoundedLines(stream, max_row_bytes)
    reader = csv.reader(lines, strict=False)
    header = _read_header(reader, lines)
    registry = default_registry()
    chunk: list[tuple[int, dict[str, str]]] = []

    async def flush() -> None:
        async with unit_of_work(sessions) as session:
            results = await upsert_shipments(
                session, merchant_id, [item for _, item in chunk], registry=registry, source="csv", dry_run=dry_run
            )
        for (line, _), result in zip(chunk, results, strict=True):
            if result.status == "rejected":
                report.rejected += 1
                for error in result.errors:
                    report.reject(line, error.field, error.reason)
            else:
                setattr(report, result.status, getattr(report, result.status) + 1)
        chunk.clear()
        if progress is not None:
            progress(report.rows)

    last_line = lines.number
    for row in reader:
        start, last_line = last_line + 1, lines.number
        if not any(cell.strip() for cell in row) and not lines.overlong.intersection(range(start, last_line + 1)):
            continue
        if report.rows >= max_rows:
            report.aborted = f"more than {max_rows} rows: stopped at line {start}"
            break
        report.rows += 1
        problem = _row_problem(row, header, lines.overlong, start, last_line, max_row_bytes)
        if problem is not None:
            report.rejected += 1
            report.reject(start, *problem)
            continue
        chunk.append((start, dict(zip(header, row, strict=False))))
        if len(chunk) >= chunk_size:
            await flush()
    if chunk:
        await flush()
    elif progress is not None:
        progress(report.rows)
    return report


def _read_header(reader: Iterator[list[str]], lines: _BoundedLines) -> list[str]:
    for row in reader:
        if lines.overlong:
            raise CsvFormatError("the header line is too long")
        if any(cell.strip() for cell in row):
            return _header(row)
    raise CsvFormatError("the file is empty: expected a header line naming the columns")


def _row_problem(
    row: list[str], header: list[str], overlong: set[int], start: int, end: int, max_bytes: int
) -> tuple[str, str] | None:
    if overlong.intersection(range(start, end + 1)) or sum(len(c) for c in row) + len(row) > max_bytes:
        return "row", f"longer than {max_bytes} bytes"
    if len(row) > len(header):
        return "row", f"{len(row)} fields but the header names {len(header)} columns"
    return None
