"""Benchmark 5: scale-out: 1, 2 and 4 `parcelsync worker` processes on PostgreSQL against 100 merchants.

Each merchant has its own SHOPLINE store in the sandbox with the store's own rate limit (the
documented 4/s bucket, burst 40, enforced by the sandbox; the hub's client-side bucket at its
defaults), its own UseePay merchant and its own TrackingMore account (sandbox rate limits on).
For every worker count the run starts from scratch (a fresh sandbox process, a fresh PostgreSQL
database), ingests the same shipments, starts the workers together and waits until no target is
pending. Reported: targets/s, calls per provider against the physical minimum, 429s, CPU, verdict, and
the contention: each worker's claim counts (`worker_stopped` log line: claims, empty claims, head
targets looked up, heads whose connection's advisory lock another worker held, groups lost in a race)
and PostgreSQL lock waits, sampled from `pg_stat_activity` (`wait_event_type = 'Lock'`) every 0.1 s.

    .venv/bin/python -m bench.scaleout                          # 100 merchants x 90 shipments, 1/2/4 workers
    .venv/bin/python -m bench.scaleout --workers 1 2 --per-merchant 30
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import time
from typing import Any

from bench.datagen import Dataset
from bench.harness import Database, Service, Stack, mib, stack
from bench.hub import Outbox, ingest, setup_merchants, verify
from bench.results import record, table
from bench.sandboxes import PROVIDERS, SandboxAdmin
from bench.sync import active_window

CLAIM_RESULTS = ("claimed", "empty", "head", "head_locked", "raced")
LOCK_SAMPLE_S = 0.1


class LockWaits:
    """Samples the run's database sessions waiting on a lock (pg_stat_activity) until stopped."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.samples = 0
        self.waiting_samples = 0
        self.waiter_samples = 0
        self.max_waiters = 0
        self.by_event: dict[str, int] = {}

    async def run(self, stop: asyncio.Event) -> None:
        import asyncpg

        conn = await asyncpg.connect(self.db.sync_dsn)
        try:
            while not stop.is_set():
                rows = await conn.fetch(
                    "SELECT wait_event, count(*) AS n FROM pg_stat_activity "
                    "WHERE datname = $1 AND wait_event_type = 'Lock' GROUP BY wait_event", self.db.name,
                )
                waiters = sum(int(r["n"]) for r in rows)
                self.samples += 1
                self.waiting_samples += waiters > 0
                self.waiter_samples += waiters
                self.max_waiters = max(self.max_waiters, waiters)
                for r in rows:
                    self.by_event[r["wait_event"]] = self.by_event.get(r["wait_event"], 0) + int(r["n"])
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), LOCK_SAMPLE_S)
        finally:
            await conn.close()

    def summary(self) -> dict[str, Any]:
        return {
            "samples": self.samples, "interval_s": LOCK_SAMPLE_S,
            "share_with_waiters": self.waiting_samples / self.samples if self.samples else 0.0,
            "mean_waiters": self.waiter_samples / self.samples if self.samples else 0.0,
            "max_waiters": self.max_waiters, "wait_s_estimate": self.waiter_samples * LOCK_SAMPLE_S,
            "by_event": self.by_event,
        }


def claim_counts(workers: list[Service]) -> dict[str, int]:
    """The claim counts every worker logged when it stopped (`worker_stopped`), summed."""
    total = dict.fromkeys(CLAIM_RESULTS, 0)
    for w in workers:
        with contextlib.suppress(OSError):
            for line in w.log_path.read_text(errors="replace").splitlines():
                with contextlib.suppress(ValueError):
                    entry = json.loads(line)
                    if isinstance(entry, dict) and entry.get("event") == "worker_stopped":
                        for k, v in (entry.get("claims") or {}).items():
                            total[k] = total.get(k, 0) + int(v)
    return total


def one_run(args: argparse.Namespace, workers: int) -> dict[str, Any]:
    """A fresh sandbox and database (created and dropped outside any event loop), then the timed phase."""
    with stack(f"scaleout{workers}") as s:
        sandbox = s.sandbox()
        admin = SandboxAdmin(sandbox.url)
        db = s.database("postgres")
        try:
            return asyncio.run(phase(args, workers, s, db, admin))
        finally:
            admin.close()


async def phase(args: argparse.Namespace, workers: int, s: Stack, db: Database, admin: SandboxAdmin
                ) -> dict[str, Any]:
    data = Dataset(args.merchants, args.per_merchant, 3)
    admin.faults_all(latency_ms=args.latency_ms)
    admin.trackingmore_rate_limits(True)
    accounts = [admin.add_merchant(i, shopline_rate_limit=True) for i in range(args.merchants)]
    mids = await setup_merchants(db.url, s.secret_key, accounts)
    t0 = time.monotonic()
    for i, mid in enumerate(mids):
        await ingest(db.url, mid, data.for_merchant(i))
    ingest_s = time.monotonic() - t0
    admin.clear_requests()
    outbox = Outbox(db.url)
    before = await outbox.progress()
    env = {"PARCELSYNC_WORKER_CONCURRENCY": str(args.concurrency)} if args.concurrency else {}
    env["PARCELSYNC_LOG_LEVEL"] = "INFO"  # the worker_stopped line carries the claim counts
    locks = LockWaits(db)
    stop_sampling = asyncio.Event()
    sampling = asyncio.create_task(locks.run(stop_sampling))
    started = time.monotonic()
    procs = [s.worker(db, i, **env) for i in range(workers)]
    _, progress = await outbox.wait_done(timeout_s=args.timeout)
    wall = time.monotonic() - started
    stop_sampling.set()
    await sampling
    peak = max(p.sampler.stop() if p.sampler else 0 for p in procs)
    cpu = [p.sampler.cpu_s if p.sampler else 0.0 for p in procs]
    for p in procs:
        p.stop(grace_s=30)
    await outbox.close()
    counts = admin.call_counts()
    verdict = await verify(db.url, admin, list(zip(mids, accounts, strict=True)))
    return {
        "workers": workers, "targets": before.total, "ingest_s": ingest_s, "wall_s": wall,
        "active_s": active_window(counts), "throughput": before.total / wall if wall else 0.0,
        "pending_left": progress.pending,
        "final_states": {f"{p}:{st}": n for (p, st), n in progress.by_state.items()},
        "calls": {p: {"total": counts[p]["total"], "by_status": counts[p]["by_status"]} for p in PROVIDERS},
        "minimum": data.minimum_calls(), "worker_cpu_s": cpu, "peak_rss_mib": mib(peak),
        "loadavg": os.getloadavg(), "verdict": vars(verdict), "claims": claim_counts(procs),
        "lock_waits": locks.summary(),
    }


def report(args: argparse.Namespace, runs: list[dict[str, Any]]) -> None:
    base = runs[0]["throughput"] or 1.0
    rows = []
    for r in runs:
        c = r["calls"]
        rate_limited = sum(int(c[p]["by_status"].get("429", 0)) for p in PROVIDERS)
        v = r["verdict"]
        rows.append([
            r["workers"], r["targets"], f"{r['wall_s']:.1f}", f"{r['active_s']:.1f}", f"**{r['throughput']:.0f}**",
            f"{r['throughput'] / base:.2f}×", " / ".join(f"{c[p]['total']}" for p in PROVIDERS), rate_limited,
            " + ".join(f"{x:.0f}" for x in r["worker_cpu_s"]), f"{r['peak_rss_mib']:.0f}",
            f"{v['lost']}/{v['clobbered']}/{v['duplicates']}/{v['extra']}", r["pending_left"],
        ])
    minimum = runs[0]["minimum"]
    lines = [
        f"{args.merchants} merchants × {args.per_merchant} shipments = {args.merchants * args.per_merchant:,} "
        f"shipments, PostgreSQL; every merchant its own SHOPLINE store (sandbox-enforced 4/s bucket, burst 40, "
        f"hub bucket at its defaults), UseePay merchant and TrackingMore account (sandbox rate limits on); "
        f"sandbox latency {args.latency_ms:g} ms per call; worker concurrency "
        f"{args.concurrency or 'default'}; a fresh sandbox process and database per row.",
        "",
        *table(["workers", "targets", "wall (s)", "first-to-last call (s)", "targets/s", "vs 1 worker",
                "calls useepay / shopline / trackingmore", "429s", "worker CPU (s)", "peak RSS per worker (MiB)",
                "lost/clobbered/dup/extra", "pending left"], rows),
        "",
        f"- physical minimum calls: useepay {minimum['useepay']}, shopline {minimum['shopline']}, "
        f"trackingmore {minimum['trackingmore']}",
        "- wall = workers spawned → no pending target (includes process start-up, ~2-3 s per process)",
        "- load average at the end of each row: " + ", ".join(f"{r['workers']}w {r['loadavg'][0]:.1f}" for r in runs),
        "",
        "Contention (claims: summed over the workers' `worker_stopped` lines; lock waits: sessions of this "
        f"database with `wait_event_type = 'Lock'` in `pg_stat_activity`, sampled every {LOCK_SAMPLE_S:g} s):",
        "",
        *table(["workers", "claims", "empty claims", "heads looked up", "head's connection locked (skipped)",
                "groups lost to a race", "samples with a lock wait", "mean / max waiters",
                "lock wait (s, est.)", "wait events"], [contention_row(r) for r in runs]),
    ]
    path = record("scaleout", f"Benchmark 5: scale-out ({args.merchants} merchants, PostgreSQL)", lines,
                  {"args": vars(args), "runs": runs})
    sys.stdout.write("\n".join(lines) + f"\n\nraw: {path}\n")


def contention_row(r: dict[str, Any]) -> list[Any]:
    c, w = r["claims"], r["lock_waits"]
    events = ", ".join(f"{k} {v}" for k, v in sorted(w["by_event"].items())) or "-"
    return [r["workers"], c["claimed"], c["empty"], c["head"], c["head_locked"], c["raced"],
            f"{w['share_with_waiters']:.1%} of {w['samples']}", f"{w['mean_waiters']:.2f} / {w['max_waiters']}",
            f"{w['wait_s_estimate']:.1f}", events]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--merchants", type=int, default=100)
    parser.add_argument("--per-merchant", type=int, default=90)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--concurrency", type=int, default=0, help="PARCELSYNC_WORKER_CONCURRENCY (default: its own)")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args()
    runs = []
    for n in args.workers:
        sys.stdout.write(f"{n} worker(s) ...\n")
        sys.stdout.flush()
        runs.append(one_run(args, n))
        sys.stdout.write(f"  {runs[-1]['throughput']:.0f} targets/s in {runs[-1]['wall_s']:.1f} s\n")
    report(args, runs)


if __name__ == "__main__":
    main()
