"""Benchmark 6: N events fanned out to 3 webhook endpoints on loopback.

The events are committed in transactions of 1,000 (through `record_events`, which queues one delivery
per endpoint in the same transaction) as fast as the database takes them, while a `parcelsync worker`
process delivers them to a receiver process (bench/webhook_receiver.py) that verifies every
signature. Measured: deliveries per second (first to last receipt), the delay from an event's commit
to its first receipt per endpoint (p50, p99), duplicates, and lost (expected − received: must be 0).

    .venv/bin/python -m bench.webhooks              # N=100000, SQLite
    .venv/bin/python -m bench.webhooks -n 20000 --db postgres
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from bench.harness import HOST, free_port, percentile, stack
from bench.results import record, table
from parcelsync.db.crypto import CredentialCipher
from parcelsync.db.engine import make_engine, make_sessionmaker, unit_of_work
from parcelsync.db.queries.merchants import create_merchant
from parcelsync.db.tables import OutboundDeliveryRow
from parcelsync.events import EventType, NewEvent, record_events
from parcelsync.outbound.endpoints import create_endpoint

MERCHANT = "bench"
PATHS = ("a", "b", "c")
BATCH = 1000


async def setup(url: str, secret_key: str, port: int) -> dict[str, str]:
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    cipher = CredentialCipher(secret_key)
    secrets: dict[str, str] = {}
    async with unit_of_work(sessions) as session:
        await create_merchant(session, "Bench merchant", MERCHANT)
        for path in PATHS:
            created = await create_endpoint(session, cipher, MERCHANT, url=f"http://{HOST}:{port}/{path}")
            secrets[path] = created.secret
    await engine.dispose()
    return secrets


async def produce(url: str, n: int, rate: float | None) -> tuple[dict[int, float], float]:
    """Commit n events in batches (1,000 at a time, or `rate` per second in tenths of a second); returns each
    event's commit wall time and the production duration."""
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    committed: dict[int, float] = {}
    started = time.time()
    size = BATCH if rate is None else max(1, round(rate / 10))
    for number, start in enumerate(range(0, n, size)):
        if rate is not None:
            await asyncio.sleep(max(0.0, started + number * size / rate - time.time()))
        events = [
            NewEvent(EventType.SHIPMENT_UPDATED, {"shipment": {"id": i, "tracking_number": f"LX{i:09d}CN"}}, i)
            for i in range(start, min(n, start + size))
        ]
        async with unit_of_work(sessions) as session:
            ids = await record_events(session, MERCHANT, events)
        now = time.time()
        committed.update((i, now) for i in ids)
    await engine.dispose()
    return committed, time.time() - started


async def states(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                select(OutboundDeliveryRow.state, func.count()).group_by(OutboundDeliveryRow.state)
            )
            return {s: int(c) for s, c in rows}
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=100_000, help="events (each goes to 3 endpoints)")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--concurrency", type=int, default=32, help="PARCELSYNC_WEBHOOK_CONCURRENCY of the worker")
    parser.add_argument("--rate", type=float, default=None, help="events per second (default: as fast as possible)")
    parser.add_argument("--timeout", type=float, default=3600.0, help="give up after this many seconds")
    parser.add_argument("--no-record", action="store_true", help="print, do not append to RESULTS.md")
    args = parser.parse_args()
    expected = args.n * len(PATHS)
    with stack("webhooks") as s:
        db = s.database(args.db)
        port = free_port()
        secrets = asyncio.run(setup(db.url, s.secret_key, port))
        out = s.workdir / "received.json"
        receiver_env = s.env(**{f"BENCH_SECRET_{p.upper()}": secrets[p] for p in PATHS})
        receiver = s.spawn(
            "receiver",
            [sys.executable, "-m", "bench.webhook_receiver", "--port", str(port), "--out", str(out)],
            receiver_env,
            port,
        )
        receiver.wait_http("/stats")
        worker = s.worker(
            db,
            PARCELSYNC_WEBHOOK_ALLOW_PRIVATE_URLS="true",
            PARCELSYNC_WEBHOOK_CONCURRENCY=str(args.concurrency),
            PARCELSYNC_WORKER_POLL_INTERVAL_S="0.1",
            PARCELSYNC_WORKER_CONCURRENCY="1",
        )
        committed, produce_s = asyncio.run(produce(db.url, args.n, args.rate))
        print(f"produced {args.n} events in {produce_s:.1f} s", flush=True)
        deadline = time.monotonic() + args.timeout
        unique = 0
        while time.monotonic() < deadline:
            unique = httpx.get(f"{receiver.url}/stats", timeout=10).json()["unique"]
            if unique >= expected:
                break
            time.sleep(1.0)
        time.sleep(2.0)  # let the worker record the last acknowledgements
        final_states = asyncio.run(states(db.url))
        worker_rss = worker.sampler.stop() if worker.sampler else 0
        worker.stop()
        receiver.stop()
        seen: dict[str, Any] = json.loads(Path(out).read_text())
    first: dict[str, dict[str, float]] = seen["first"]
    delays = [first[p][f"evt_{i}"] - t for p in PATHS for i, t in committed.items() if f"evt_{i}" in first[p]]
    received = sum(len(first[p]) for p in PATHS)
    lost = expected - received
    times = [t for p in PATHS for t in first[p].values()]
    span = (max(times) - min(times)) if times else float("nan")
    rate = received / span if span else float("nan")
    p50, p99 = percentile(delays, 50), percentile(delays, 99)
    lines = [
        f"N = {args.n} events × 3 endpoints = {expected} deliveries, {args.db}, one `parcelsync worker` process "
        f"(webhook concurrency {args.concurrency}), receiver in its own process verifying every signature; "
        + (
            f"events committed 1,000 per transaction as fast as the database takes them ({produce_s:.1f} s for all), "
            "so the delay includes the backlog behind them."
            if args.rate is None
            else f"events committed at {args.rate:g}/s in small transactions ({produce_s:.1f} s), below the "
            "delivery capacity, so the delay is the steady-state latency."
        ),
        "",
        *table(
            ["deliveries/s", "commit→delivery p50", "p99", "received", "lost", "duplicates", "bad signatures"],
            [
                [
                    f"{rate:.0f}",
                    f"{p50:.2f} s",
                    f"{p99:.2f} s",
                    received,
                    lost,
                    seen["counts"]["duplicates"],
                    seen["counts"]["bad_signature"],
                ]
            ],
        ),
        "",
        f"- first to last receipt: {span:.1f} s; outbox states at the end: {final_states}",
        f"- worker peak RSS sample: {worker_rss / 2**20:.0f} MiB",
    ]
    print("\n".join(lines))
    if args.n < 100_000:
        lines.append(
            f"- N reduced from the nominal 100,000 for this run (load average at the end {os.getloadavg()[0]:.1f} on "
            "a shared 2-core machine)"
        )
    raw = {
        "rate_limit": args.rate,
        "n": args.n,
        "db": args.db,
        "rate": rate,
        "p50_s": p50,
        "p99_s": p99,
        "lost": lost,
        "received": received,
        "states": final_states,
        "counts": seen["counts"],
        "produce_s": produce_s,
        "span_s": span,
    }
    if not args.no_record:
        record("webhooks", f"Benchmark 6: webhooks fan-out (N={args.n}, {args.db})", lines, raw)


if __name__ == "__main__":
    main()
