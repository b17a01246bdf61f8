"""The floor of benchmark 3: the rows the hub wrote, written again with the plain driver.

After the hub's batch phase, every row it wrote for those batches (shipments, sync targets, events,
status events) is read back and written into a fresh migrated database of the same kind, in the
same number of transactions, with the driver alone: `sqlite3` executemany (the hub's pragmas) or
asyncpg COPY. No validation, no planning, no ORM: what the database itself costs for those rows.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from typing import Any

from bench.harness import Database

TABLES = ("shipments", "sync_targets", "events", "status_events")
"""In foreign-key order; merchants (and what they own) are copied first, untimed."""
SETUP_TABLES = ("merchants", "connections")


def _chunks(rows: list[tuple[Any, ...]], parts: int) -> list[list[tuple[Any, ...]]]:
    size = -(-len(rows) // parts) if rows else 0
    return [rows[i * size : (i + 1) * size] for i in range(parts)]


def _sqlite_floor(source: Database, target: Database, batches: int) -> dict[str, Any]:
    src = sqlite3.connect(source.name)
    dst = sqlite3.connect(target.name, isolation_level=None)
    dst.execute("PRAGMA journal_mode=WAL")
    dst.execute("PRAGMA synchronous=NORMAL")
    dst.execute("PRAGMA foreign_keys=ON")
    data: dict[str, tuple[str, list[list[tuple[Any, ...]]]]] = {}
    for name in (*SETUP_TABLES, *TABLES):
        cur = src.execute(f"SELECT * FROM {name}")
        columns = [d[0] for d in cur.description]
        sql = f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        rows = cur.fetchall()
        if name in SETUP_TABLES:
            dst.executemany(sql, rows)
        else:
            data[name] = (sql, _chunks(rows, batches))
    src.close()
    started = time.monotonic()
    for b in range(batches):
        dst.execute("BEGIN")
        for sql, chunks in data.values():
            dst.executemany(sql, chunks[b])
        dst.execute("COMMIT")
    wall = time.monotonic() - started
    dst.close()
    return {"wall_s": wall, "rows": {name: sum(len(c) for c in chunks) for name, (_, chunks) in data.items()}}


async def _postgres_floor(source: Database, target: Database, batches: int) -> dict[str, Any]:
    import asyncpg

    src = await asyncpg.connect(source.sync_dsn)
    dst = await asyncpg.connect(target.sync_dsn)
    try:
        data: dict[str, tuple[list[str], list[list[tuple[Any, ...]]]]] = {}
        for name in (*SETUP_TABLES, *TABLES):
            records = await src.fetch(f"SELECT * FROM {name}")
            columns = list(records[0].keys()) if records else []
            rows = [tuple(r) for r in records]
            if name in SETUP_TABLES:
                if rows:
                    await dst.copy_records_to_table(name, records=rows, columns=columns)
            else:
                data[name] = (columns, _chunks(rows, batches))
        started = time.monotonic()
        for b in range(batches):
            async with dst.transaction():
                for name, (columns, chunks) in data.items():
                    if chunks[b]:
                        await dst.copy_records_to_table(name, records=chunks[b], columns=columns)
        wall = time.monotonic() - started
    finally:
        await src.close()
        await dst.close()
    return {"wall_s": wall, "rows": {name: sum(len(c) for c in chunks) for name, (_, chunks) in data.items()}}


def floor_phase(source: Database, target: Database, batches: int, shipments: int) -> dict[str, Any]:
    """Copy the hub's rows into `target` with the plain driver, `batches` transactions; shipments per second."""
    if source.kind == "sqlite":
        out = _sqlite_floor(source, target, batches)
    else:
        out = asyncio.run(_postgres_floor(source, target, batches))
    out["per_s"] = shipments / out["wall_s"] if out["wall_s"] else 0.0
    return out
