"""Benchmark 1, second gateway and tracker: calls to PayPal and AfterShip against the physical minimum.

N shipments (3 to a payment) of one merchant connected to PayPal and AfterShip only are ingested,
then one in-process worker syncs them to the in-process sandboxes (httpx.ASGITransport: no
network, no latency; as in benchmark 1 the sandbox's rate limits are off, the clients pace
themselves; `--aftership-rate-limits` turns AfterShip's one-second windows on, to count 429s). Each
API is its own run. `bench/sync.py` (benchmark 1) runs this too, after the first store's run.

Physical minimum (P = N / 3 payments):
- PayPal Orders v2: 1 token + P order reads (the capture id, cached afterwards) + N `POST .../track`;
- PayPal trackers_batch: 1 token + ceil(N / 20) `POST /v1/shipping/trackers-batch`
  (N a multiple of 60, so every claim of 20 payments fills whole calls);
- AfterShip: N `POST /trackings`.

    .venv/bin/python -m bench.sync_second -n 3000
    .venv/bin/python -m bench.sync_second -n 600 --aftership-rate-limits
"""

from __future__ import annotations

import argparse
import asyncio
import math
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from bench.results import record, table
from parcelsync.db import migrate
from parcelsync.db.crypto import CredentialCipher, generate_key
from parcelsync.db.engine import make_engine, make_sessionmaker, unit_of_work
from parcelsync.db.queries.merchants import create_merchant
from parcelsync.db.tables import SyncTargetRow
from parcelsync.domain.provider import Provider
from parcelsync.ingest.connections import save_connection
from parcelsync.ingest.demo import s10_number
from parcelsync.ingest.service import upsert_shipments
from parcelsync.sandbox.server import Sandboxes, SandboxUrls, create_app
from parcelsync.settings import Settings
from parcelsync.sync.retry import RetryPolicy
from parcelsync.sync.worker import Worker

MERCHANT = "bench2"
CLIENT_ID, CLIENT_SECRET = "bench-app", "bench-secret"
AS_KEY = "asat_bench_0001"


async def pending(sessions: Any) -> int:
    async with sessions() as session:
        count = await session.scalar(
            select(func.count()).select_from(SyncTargetRow).where(SyncTargetRow.state == "pending")
        )
    return int(count or 0)


def shipments(n: int) -> list[dict[str, Any]]:
    return [{"tracking_number": s10_number(i + 1), "carrier": "china-post", "payment_intent_id": f"P{i // 3:07d}",
             "payment_gateway": Provider.PAYPAL.value} for i in range(n)]


async def run(n: int, api: str, *, aftership_rate_limits: bool = False) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        settings = Settings(database_url=url, secret_key=generate_key())
        cipher = CredentialCipher(settings.secret_key or "")
        engine = make_engine(url)
        await migrate.upgrade(engine)
        sessions = make_sessionmaker(engine)
        sandboxes = Sandboxes()
        sandboxes.aftership.rate_limits = aftership_rate_limits  # off as in benchmark 1: the client paces itself
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(sandboxes)), base_url="http://sb",
                                 timeout=60)
        urls = SandboxUrls("http://sb")
        items = shipments(n)
        orders = {p: [f"C{p}"] for p in sorted({i["payment_intent_id"] for i in items})}
        (await http.post(f"{urls.paypal}/_sandbox/apps", json={
            "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "orders": orders,
            "accept_any_transaction": True})).raise_for_status()
        (await http.post(f"{urls.aftership}/_sandbox/accounts", json={"api_key": AS_KEY})).raise_for_status()
        async with unit_of_work(sessions) as session:
            await create_merchant(session, "Bench 2", MERCHANT)
            await save_connection(session, cipher, MERCHANT, Provider.PAYPAL, base_url=urls.paypal,
                                  credentials={"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET},
                                  options={"api": api})
            await save_connection(session, cipher, MERCHANT, Provider.AFTERSHIP, base_url=urls.aftership,
                                  credentials={"api_key": AS_KEY})
        for start in range(0, n, 1000):
            async with unit_of_work(sessions) as session:
                await upsert_shipments(session, MERCHANT, items[start : start + 1000])
        sandboxes.paypal.log.clear()
        sandboxes.aftership.log.clear()
        worker = Worker(sessions, settings, http=http, cipher=cipher, policy=RetryPolicy(0.0, 0.0, 5), concurrency=4)
        started = time.monotonic()
        while await pending(sessions):
            if not await worker.run_once():
                await asyncio.sleep(0.2)  # a connection paused by a 429 waits for its Retry-After
        wall = time.monotonic() - started
        paypal = [f"{r.method} {r.path}" for r in sandboxes.paypal.log.items]
        aftership = [str(r.status) for r in sandboxes.aftership.log.items]
        held = len(sandboxes.paypal.trackers_of(CLIENT_ID))
        tracked = len(sandboxes.aftership.accounts[AS_KEY].trackings)
        await http.aclose()
        await engine.dispose()
    payments = math.ceil(n / 3)
    minimum = 1 + (payments + n if api == "orders_v2" else math.ceil(n / 20))
    rejected = sum(1 for c in aftership if c == "429")
    return {"api": api, "n": n, "aftership_429": rejected, "wall_s": round(wall, 1),
            "paypal_calls": len(paypal), "paypal_minimum": minimum,
            "paypal_trackers": held, "aftership_calls": len(aftership), "aftership_minimum": n,
            "aftership_trackings": tracked}


def report(n: int, *, aftership_rate_limits: bool = False) -> list[dict[str, Any]]:
    """Both PayPal APIs, each with AfterShip; a section in RESULTS.md with the calls against the minimum."""
    runs = [asyncio.run(run(n, api, aftership_rate_limits=aftership_rate_limits))
            for api in ("orders_v2", "trackers_batch")]
    rows = [[r["api"], r["paypal_calls"], r["paypal_minimum"], r["aftership_calls"], r["aftership_minimum"],
             r["aftership_429"], f"{r['paypal_trackers']} / {r['aftership_trackings']}", r["wall_s"]] for r in runs]
    exact = all(r["paypal_calls"] == r["paypal_minimum"] and r["aftership_calls"] == r["aftership_minimum"]
                for r in runs)
    lines = [
        f"Second demo store: N = {n} shipments, 3 to a payment, PayPal + AfterShip only, in-process sandboxes; "
        f"AfterShip's rate limit {'on' if aftership_rate_limits else 'off'} in the sandbox.",
        "",
        *table(["PayPal API", "PayPal calls", "minimum", "AfterShip calls", "minimum", "429s",
                "trackers / trackings held", "wall (s)"], rows),
        "",
        f"- calls at exactly the minimum for each provider: **{exact}**",
    ]
    path = record("sync_second", f"Benchmark 1, second store: PayPal and AfterShip (N={n})", lines, {"runs": runs})
    print("\n".join(lines) + f"\n\nraw: {path}")
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=3000)
    parser.add_argument("--aftership-rate-limits", action="store_true",
                        help="the sandbox enforces AfterShip's per-endpoint one-second windows")
    args = parser.parse_args()
    report(args.n, aftership_rate_limits=args.aftership_rate_limits)


if __name__ == "__main__":
    main()
