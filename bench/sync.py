"""Benchmark 1: sync throughput against the naive cron script, and outbound calls against the physical minimum.

N shipments (3 to a payment intent, 3 to a fulfillment) are ingested, then one `parcelsync worker`
process syncs them to the three sandboxes (a separate `parcelsync sandbox` process, every call
delayed by --latency-ms, rate limits off on both sides). Then bench/naive.py syncs a sample of
another merchant's shipments one by one, and its time is extrapolated linearly to N.

    .venv/bin/python -m bench.sync                  # N=10,000 on SQLite, naive on a 600-shipment sample
    .venv/bin/python -m bench.sync --db postgres --profile

Then the second demo store (PayPal and AfterShip, bench/sync_second.py) runs with --second-n shipments.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import time
from typing import Any

from bench import sync_second
from bench.datagen import Dataset
from bench.harness import Database, Stack, mib, stack
from bench.hub import Outbox, ingest, setup_merchants, verify
from bench.naive import run_naive
from bench.results import record, table
from bench.sandboxes import PROVIDERS, SandboxAdmin

PENDING_INDEX = "CREATE INDEX ix_bench_pending_due ON sync_targets (next_attempt_at, id) WHERE state = 'pending'"
NO_LIMIT = {"shopline": {"rate_per_second": 100_000, "bucket_size": 100_000}}


def active_window(counts: dict[str, dict[str, Any]]) -> float:
    """Seconds from the first request the sandbox received to the last answer it sent."""
    items = [r for p in PROVIDERS for r in counts[p]["items"]]
    if not items:
        return 0.0
    return max(r["finished"] for r in items) - min(r["started"] for r in items)


def worker_env(args: argparse.Namespace) -> dict[str, str]:
    env: dict[str, str] = {}
    if args.concurrency:
        env["PARCELSYNC_WORKER_CONCURRENCY"] = str(args.concurrency)
    return env


async def sync_phase(
    args: argparse.Namespace, s: Stack, db: Database, admin: SandboxAdmin, *, rate_limits: bool = False
) -> dict[str, Any]:
    """Ingest args.n shipments for one merchant, run the worker(s) until nothing is pending, count and verify."""
    data = Dataset(1, args.n, 3)
    if getattr(args, "pending_index", False):
        await add_pending_index(db)
    acc = admin.add_merchant(0, shopline_rate_limit=rate_limits)
    admin.trackingmore_rate_limits(rate_limits)
    (mid,) = await setup_merchants(db.url, s.secret_key, [acc], None if rate_limits else NO_LIMIT)
    shipments = data.for_merchant(0)
    started = time.monotonic()
    statuses = await ingest(db.url, mid, shipments)
    ingest_s = time.monotonic() - started
    admin.clear_requests()
    outbox = Outbox(db.url)
    before = await outbox.progress()
    env = worker_env(args)
    t0 = time.monotonic()
    if args.profile:
        workers = [profiled_worker(s, db, env, args.profile)]
    elif getattr(args, "diagnose", False):
        workers = [s.spawn("worker-diag", [sys.executable, "-m", "bench.diag_worker"], s.env(db, **env))]
    else:
        workers = [s.worker(db, i, **env) for i in range(args.workers)]
    _, progress = await outbox.wait_done(timeout_s=args.timeout)
    wall_total = time.monotonic() - t0
    peak = max(w.sampler.stop() if w.sampler else 0 for w in workers)
    worker_cpu = sum(w.sampler.cpu_s for w in workers if w.sampler)
    sandbox_cpu = s.services[0].sampler.sample() and s.services[0].sampler.cpu_s if s.services[0].sampler else 0.0
    for w in workers:
        w.stop(grace_s=30)
    await outbox.close()
    counts = admin.call_counts()
    verdict = await verify(db.url, admin, [(mid, acc)])
    return {
        "db": args.db, "n": args.n, "intents": data.intents, "fulfillments": data.fulfillments,
        "ingest_s": ingest_s, "ingest_statuses": dict(statuses), "targets": before.total,
        "wall_s": wall_total, "active_s": active_window(counts), "peak_rss_mib": mib(peak),
        "worker_cpu_s": worker_cpu, "sandbox_cpu_s_total": sandbox_cpu,
        "final_states": {f"{p}:{st}": n for (p, st), n in progress.by_state.items()},
        "calls": {p: {"total": counts[p]["total"], "by_status": counts[p]["by_status"]} for p in PROVIDERS},
        "minimum": data.minimum_calls(),
        "verdict": {k: v for k, v in vars(verdict).items()},
        "worker_log_tail": [w.tail(15) for w in workers],
    }


async def add_pending_index(db: Database) -> None:
    """Experiment (not the shipped schema): the partial index the claim's head query needs."""
    from sqlalchemy import text

    from parcelsync.db.engine import make_engine

    engine = make_engine(db.url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(PENDING_INDEX))
    finally:
        await engine.dispose()


def profiled_worker(s: Stack, db: Any, env: dict[str, str], path: str) -> Any:
    """The worker under pyinstrument (text report written when it stops)."""
    from bench.harness import PARCELSYNC, VENV_BIN

    argv = [str(VENV_BIN / "pyinstrument"), "-r", "text", "--show-all", "-o", path, str(PARCELSYNC), "worker"]
    return s.spawn("worker-profiled", argv, s.env(db, **env))


def naive_phase(args: argparse.Namespace, admin: SandboxAdmin) -> dict[str, Any]:
    acc = admin.add_merchant(1, shopline_rate_limit=False)
    sample = args.n if args.naive_sample < 0 else min(args.naive_sample, args.n)
    shipments = Dataset(1, args.n, 3).for_merchant(1)[:sample]
    result = run_naive(acc, shipments)
    return {
        "sample": sample, "calls": result.calls, "errors": result.errors, "wall_s": result.wall_s,
        "extrapolated_s": result.wall_s * args.n / sample, "per_shipment_ms": result.per_shipment_s * 1000,
    }


def report(args: argparse.Namespace, sync: dict[str, Any], naive: dict[str, Any] | None) -> None:
    minimum = sync["minimum"]
    rows = []
    for p in PROVIDERS:
        total = sync["calls"][p]["total"]
        rows.append([p, total, minimum[p], f"{total / minimum[p]:.3f}×" if minimum[p] else "-",
                     sync["calls"][p]["by_status"]])
    lines = [
        f"N = {args.n} shipments over {sync['intents']} payment intents and {sync['fulfillments']} fulfillments, "
        f"{args.db}, {args.workers} worker process(es), sandbox latency {args.latency_ms:g} ms per call, "
        "rate limits off (sandbox and hub's SHOPLINE bucket raised through connection options).",
        "",
        *table(["provider", "calls", "physical minimum", "ratio", "statuses"], rows),
        "",
        f"- ingest (direct through ingest.service, 1,000 per transaction): {sync['ingest_s']:.1f} s "
        f"({args.n / sync['ingest_s']:.0f} shipments/s), {sync['targets']} outbox targets",
        f"- sync wall time (worker spawn → no pending target): **{sync['wall_s']:.1f} s**; "
        f"first-to-last sandbox request: {sync['active_s']:.1f} s",
        f"- worker peak RSS: {sync['peak_rss_mib']:.0f} MiB; CPU: worker {sync['worker_cpu_s']:.1f} s, "
        f"sandbox process {sync['sandbox_cpu_s_total']:.1f} s (whole run, including setup and ingest)",
        f"- final outbox states: {sync['final_states']}",
        f"- hub vs sandboxes: {sync['verdict']['checked']} targets checked, lost {sync['verdict']['lost']}, "
        f"clobbered {sync['verdict']['clobbered']}, duplicates {sync['verdict']['duplicates']}, "
        f"extra {sync['verdict']['extra']}",
    ]
    if naive:
        ratio = naive["extrapolated_s"] / sync["wall_s"]
        lines += [
            f"- naive (bench/naive.py, sequential httpx, 3 calls per shipment): {naive['sample']} shipments in "
            f"{naive['wall_s']:.1f} s ({naive['per_shipment_ms']:.0f} ms per shipment, {naive['errors']} errors)"
            + ("" if naive["sample"] == args.n else
               f", extrapolated linearly to {args.n}: {naive['extrapolated_s']:.0f} s"),
            f"- **speed-up: {ratio:.1f}×** (target ≥ 25×); calls within 1.02× of the minimum: "
            f"{all(sync['calls'][p]['total'] <= math.floor(1.02 * sync['minimum'][p]) for p in PROVIDERS)}",
        ]
    if getattr(args, "pending_index", False):
        lines.append(f"- EXPERIMENT: `{PENDING_INDEX}` added to the database before the run (not in the migrations)")
    if args.profile:
        lines.append(f"- profile of the worker (pyinstrument): `{args.profile}`")
    raw = {"args": vars(args), "sync": sync, "naive": naive}
    path = record("sync", f"Benchmark 1: sync vs naive (N={args.n}, {args.db})", lines, raw)
    sys.stdout.write("\n".join(lines) + f"\n\nraw: {path}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=10_000)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=0, help="PARCELSYNC_WORKER_CONCURRENCY (default: its own)")
    parser.add_argument("--naive-sample", type=int, default=600, help="shipments the naive script syncs (-1: all N)")
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument("--profile", default="", help="write a pyinstrument text profile of the worker here")
    parser.add_argument("--diagnose", action="store_true", help="run bench/diag_worker.py (time per phase)")
    parser.add_argument("--pending-index", action="store_true",
                        help="experiment: add a partial index on pending targets before the run")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (logs, SQLite file)")
    parser.add_argument("--second-n", type=int, default=1200, help="shipments of the PayPal + AfterShip run (0: none)")
    args = parser.parse_args()
    with stack("sync", keep=args.keep) as s:
        sandbox = s.sandbox()
        admin = SandboxAdmin(sandbox.url)
        admin.faults_all(latency_ms=args.latency_ms)
        db = s.database(args.db)
        sync = asyncio.run(sync_phase(args, s, db, admin))
        naive = naive_phase(args, admin) if args.naive_sample else None
        admin.close()
        report(args, sync, naive)
        if args.second_n:
            sync_second.report(args.second_n)
        if args.keep:
            sys.stdout.write(f"logs kept in {s.workdir}\n")


if __name__ == "__main__":
    main()
