"""Payments at risk: how long the dashboard's list, the overview's summary and the CLI's table take.

A merchant with one payment gateway connection and N payment intents of 3 parcels each (3N
shipments): every intent's upload acknowledged (an outbox target `synced` and a receipt per intent,
two receipts for a tenth of them) and a checkpoint per parcel; 2% of the intents are at risk (one in
four of those rejected by the gateway, the others a parcel in exception). Each query runs `--repeat`
times on a fresh session; the median is reported.

    .venv/bin/python -m bench.payments_at_risk -n 5000
    .venv/bin/python -m bench.payments_at_risk -n 5000 --database-url postgresql+asyncpg://127.0.0.1/empty_db
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bench.results import record, table
from parcelsync.db import migrate
from parcelsync.db.base import utcnow
from parcelsync.db.engine import make_engine, make_sessionmaker, unit_of_work
from parcelsync.db.queries.merchants import create_merchant
from parcelsync.db.tables import CheckpointRow, ConnectionRow, ShipmentRow, SyncReceiptRow, SyncTargetRow
from parcelsync.domain.provider import Provider
from parcelsync.ingest.demo import s10_number
from parcelsync.payments.service import IntentFilter, at_risk_summary, list_intents

MERCHANT = "bench-risk"
GATEWAY = Provider.USEEPAY.value
CHUNK = 2000


def _rows(n: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    now = utcnow()
    shipped = (now - timedelta(days=3)).date()
    shipments, targets, receipts = [], [], []
    for i in range(n):
        intent = f"pi_{i:07d}"
        risky = i % 50 == 0
        rejected = risky and i % 200 == 0
        for j in range(3):
            shipments.append({
                "merchant_id": MERCHANT, "tracking_number": s10_number(3 * i + j + 1), "carrier": "china-post",
                "payment_intent_id": intent, "order_id": f"o{i}", "order_value": "49.90", "currency": "EUR",
                "ship_date": shipped, "status": "exception" if risky and not rejected and j == 0 else "in_transit",
                "created_at": now - timedelta(days=3), "updated_at": now - timedelta(days=1),
            })
        targets.append({"merchant_id": MERCHANT, "provider": GATEWAY, "target_key": intent, "desired_version": 1,
                        "acked_version": 0 if rejected else 1, "state": "parked" if rejected else "synced",
                        "reason": "No such payment_intent" if rejected else None, "next_attempt_at": now})
        if not rejected:
            for version in range(1, 3 if i % 10 == 0 else 2):
                receipts.append({"merchant_id": MERCHANT, "provider": GATEWAY, "target_key": intent,
                                 "version": version, "acknowledged_at": now - timedelta(days=2, hours=-version),
                                 "request_id": f"req-{i}-{version}",
                                 "parcels": [{"tracking_number": s10_number(3 * i + j + 1), "carrier": "china-post",
                                              "tracking_url": None} for j in range(3)]})
    return shipments, targets, receipts


async def seed(sessions: async_sessionmaker[AsyncSession], n: int) -> None:
    shipments, targets, receipts = _rows(n)
    async with unit_of_work(sessions) as session:
        await create_merchant(session, "Bench at risk", MERCHANT)
        session.add(ConnectionRow(merchant_id=MERCHANT, provider=GATEWAY, base_url="http://gateway.invalid"))
    for table_, rows in ((ShipmentRow, shipments), (SyncTargetRow, targets), (SyncReceiptRow, receipts)):
        for start in range(0, len(rows), CHUNK):
            async with unit_of_work(sessions) as session:
                await session.execute(insert(table_), rows[start : start + CHUNK])
    async with sessions() as session:
        ids = list(await session.scalars(ShipmentRow.__table__.select().with_only_columns(ShipmentRow.id)))
    when = utcnow() - timedelta(days=1)
    checkpoints = [{"shipment_id": sid, "time": when, "description": "Departed", "status": "in_transit"} for sid in ids]
    for start in range(0, len(checkpoints), CHUNK):
        async with unit_of_work(sessions) as session:
            await session.execute(insert(CheckpointRow), checkpoints[start : start + CHUNK])


async def timed(sessions: async_sessionmaker[AsyncSession], repeat: int,
                query: Callable[[AsyncSession], Awaitable[Any]]) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        async with sessions() as session:
            started = time.perf_counter()
            result = await query(session)
            times.append(time.perf_counter() - started)
    return statistics.median(times), result


async def run(n: int, database_url: str | None, repeat: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'risk.db'}"
        engine = make_engine(url)
        await migrate.upgrade(engine)
        sessions = make_sessionmaker(engine)
        await seed(sessions, n)
        now = utcnow()
        risky = IntentFilter(at_risk=True)
        page_s, page = await timed(sessions, repeat, lambda s: list_intents(s, MERCHANT, risky, now))
        summary_s, summary = await timed(sessions, repeat, lambda s: at_risk_summary(s, MERCHANT, now))
        all_s, everything = await timed(sessions, repeat, lambda s: list_intents(s, MERCHANT, IntentFilter(), now))
        await engine.dispose()
    return {"n_intents": n, "n_shipments": 3 * n, "db": url.split(":")[0], "repeat": repeat,
            "at_risk": len(page), "summary_at_risk": summary.at_risk, "summary_intents": summary.intents,
            "listed_all": len(everything), "at_risk_list_s": round(page_s, 3), "summary_s": round(summary_s, 3),
            "list_all_s": round(all_s, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=5000, help="payment intents (3 parcels each)")
    parser.add_argument("--database-url", default="", help="an empty database (default: a temporary SQLite file)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--label", default="", help="what this run measures, e.g. 'before' or 'after'")
    args = parser.parse_args()
    result = asyncio.run(run(args.n, args.database_url or None, args.repeat))
    lines = [
        f"{args.label + ': ' if args.label else ''}{result['n_intents']} payment intents, {result['n_shipments']} "
        f"shipments, {result['db']}, median of {args.repeat} runs, each on a fresh session.",
        "",
        *table(["query", "result", "median (s)"], [
            ["at-risk list (dashboard page, `at_risk=true`)", f"{result['at_risk']} intents", result["at_risk_list_s"]],
            ["summary (overview: totals, counts)", f"{result['summary_at_risk']} of {result['summary_intents']}",
             result["summary_s"]],
            ["every intent (API without filters)", f"{result['listed_all']} intents", result["list_all_s"]],
        ]),
    ]
    path = record("payments_at_risk", f"Payments at risk, per request (N={args.n}, {result['db']})", lines, result)
    print("\n".join(lines) + f"\n\nraw: {path}")


if __name__ == "__main__":
    main()
