"""Worker CPU per synced target, in process (issue 13, row 5): the benchmark 1 mix drained by one `Worker`.

N shipments (3 to a payment intent, 3 to a fulfillment: UseePay batches of 20 intents, SHOPLINE one call
per fulfillment, TrackingMore batches of 40) are ingested through the hub's own ingest service into a
temporary database; then a `sync.worker.Worker` in this process drains the outbox with `run_once` against
the three sandboxes in another process (so their CPU is not counted), and `time.process_time()` around
the drain is divided by the targets synced. The database is in the count on SQLite (it runs in this
process, in aiosqlite's threads, as in benchmark 1's worker; the event loop's own share is printed too);
on PostgreSQL it is not.

    .venv/bin/python -m bench.worker_profile                       # N=2,400 on SQLite, 3 repetitions
    .venv/bin/python -m bench.worker_profile --profile /tmp/w.txt  # plus one profiled drain (pyinstrument)
    .venv/bin/python -m bench.worker_profile --vs ../main          # A/B: this tree vs another checkout

With `--vs` every repetition is a child process, alternating this tree (A) and the other checkout (B: its
own `.venv` and `src`, with this tree's bench scripts); the medians of each and the ratio A/B are printed.
Sandbox latency is benchmark 1's 50 ms by default: how many pooled HTTP connections sit idle, which
httpcore scans on every request, depends on it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.datagen import Dataset
from bench.harness import ROOT, Database, Stack, stack
from bench.hub import Outbox, ingest, setup_merchants
from bench.sandboxes import PROVIDERS, SandboxAdmin
from bench.sync import NO_LIMIT


async def drain(args: argparse.Namespace, s: Stack, db: Database, admin: SandboxAdmin, index: int,
                profile: str = "") -> dict[str, Any]:
    """Ingest, then time one worker's drain; returns CPU, wall, targets and calls against the minimum."""
    from parcelsync.db.crypto import CredentialCipher
    from parcelsync.db.engine import make_engine, make_sessionmaker
    from parcelsync.settings import Settings
    from parcelsync.sync.worker import Worker

    data = Dataset(1, args.n, 3)
    acc = admin.add_merchant(index, shopline_rate_limit=False)
    admin.trackingmore_rate_limits(False)
    (mid,) = await setup_merchants(db.url, s.secret_key, [acc], NO_LIMIT)
    await ingest(db.url, mid, data.for_merchant(index))
    calls_before = {p: c["total"] for p, c in admin.call_counts().items()}
    settings = Settings(database_url=db.url, secret_key=s.secret_key, log_level="WARNING", log_format="json")
    engine = make_engine(db.url)
    profiler: Any = None
    try:
        async with Worker(make_sessionmaker(engine), settings, cipher=CredentialCipher(s.secret_key),
                          concurrency=args.concurrency or None) as worker:
            if profile:
                from pyinstrument import Profiler

                profiler = Profiler(interval=0.0005, async_mode="disabled")
                profiler.start()
            cpu0, main0, wall0 = time.process_time(), time.thread_time(), time.monotonic()
            batches = await worker.run_once()
            cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
            main = time.thread_time() - main0
            if profiler is not None:
                profiler.stop()
    finally:
        await engine.dispose()
    outbox = Outbox(db.url)
    progress = await outbox.progress()
    await outbox.close()
    counts = {p: {"total": c["total"] - calls_before[p]} for p, c in admin.call_counts().items()}
    synced = progress.count("synced")
    if profiler is not None:
        write_profile(profiler, profile)
    return {
        "cpu_s": cpu, "main_thread_cpu_s": main, "wall_s": wall, "batches": batches, "targets": progress.total,
        "synced": synced,
        "pending": progress.pending, "cpu_ms_per_target": 1000 * cpu / max(1, synced),
        "calls": {p: counts[p]["total"] for p in PROVIDERS}, "minimum": data.minimum_calls(),
    }


def write_profile(profiler: Any, path: str) -> None:
    """The profile as text (or HTML), and the session beside it (`pyinstrument --load PATH.pyisession`)."""
    text = profiler.output_html() if path.endswith(".html") else profiler.output_text(unicode=True)
    Path(path).write_text(text)
    profiler.last_session.save(path + ".pyisession")


def run_local(args: argparse.Namespace) -> list[dict[str, Any]]:
    """`args.repeat` drains (each on a fresh database and sandbox merchant), plus one profiled if asked."""
    from parcelsync.logging import configure_logging

    configure_logging(level="WARNING", fmt="json")
    runs: list[dict[str, Any]] = []
    with stack("worker-profile") as s:
        admin = SandboxAdmin(s.sandbox().url)
        admin.faults_all(latency_ms=args.latency_ms)
        plan = [(i, "") for i in range(args.repeat)] + ([(args.repeat, args.profile)] if args.profile else [])
        for index, profile in plan:
            db = s.database(args.db, label=f"r{index}")
            run = asyncio.run(drain(args, s, db, admin, args.offset + index, profile))
            run["profiled"] = bool(profile)
            runs.append(run)
            if not args.quiet:
                sys.stdout.write(_line("" if not profile else "profiled", run) + "\n")
        admin.close()
    return runs


def _line(label: str, run: dict[str, Any]) -> str:
    exact = run["calls"] == run["minimum"]
    return (f"{label:>8} {run['cpu_ms_per_target']:.3f} ms CPU/target  ({run['cpu_s']:.2f} s CPU, "
            f"{run['main_thread_cpu_s']:.2f} s of it in the event loop's thread, "
            f"{run['wall_s']:.2f} s wall, {run['synced']}/{run['targets']} synced, {run['batches']} batches, "
            f"calls {run['calls']} {'= minimum' if exact else '!= minimum ' + str(run['minimum'])})")


def child(args: argparse.Namespace, other: str | None, index: int) -> dict[str, Any]:
    """One repetition in a child process: this tree, or the `other` checkout's venv and src."""
    env = dict(os.environ)
    python = sys.executable
    if other:
        root = Path(other).resolve()
        python = str(root / ".venv" / "bin" / "python")
        env["PYTHONPATH"] = os.pathsep.join([str(root / "src"), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    argv = [python, "-m", "bench.worker_profile", "-n", str(args.n), "--db", args.db, "--repeat", "1",
            "--latency-ms", str(args.latency_ms), "--concurrency", str(args.concurrency), "--quiet", "--json",
            "--offset", str(index)]
    done = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"child failed ({done.returncode}):\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])[0]
    return result


def run_ab(args: argparse.Namespace) -> dict[str, Any]:
    """A (this tree) and B (`--vs`) alternately, `args.repeat` each; medians and the ratio A/B."""
    a: list[dict[str, Any]] = []
    b: list[dict[str, Any]] = []
    for i in range(args.repeat):
        for label, src, out in (("A", None, a), ("B", args.vs, b)):
            run = child(args, src, 2 * i + (label == "B"))
            out.append(run)
            sys.stdout.write(_line(label, run) + "\n")
            sys.stdout.flush()
    med_a = statistics.median(r["cpu_ms_per_target"] for r in a)
    med_b = statistics.median(r["cpu_ms_per_target"] for r in b)
    sys.stdout.write(f"median CPU per target: A {med_a:.3f} ms, B {med_b:.3f} ms, A/B {med_a / med_b:.3f}\n")
    return {"a": a, "b": b, "median_a_ms": med_a, "median_b_ms": med_b, "ratio": med_a / med_b}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=2400, help="shipments (targets: N/3 + N/3 + N)")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--latency-ms", type=float, default=50.0, help="sandbox latency per call")
    parser.add_argument("--concurrency", type=int, default=0, help="worker tasks (default: the settings' own)")
    parser.add_argument("--profile", default="", help="one more drain under pyinstrument, written here (.html/.txt)")
    parser.add_argument("--vs", default="", help="A/B against another checkout (its .venv and src)")
    parser.add_argument("--offset", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help="print the runs as one JSON line at the end")
    parser.add_argument("--quiet", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.vs:
        run_ab(args)
        return
    runs = run_local(args)
    timed = [r["cpu_ms_per_target"] for r in runs if not r["profiled"]]
    if args.json:
        sys.stdout.write(json.dumps(runs) + "\n")
    elif timed:
        sys.stdout.write(f"median CPU per target: {statistics.median(timed):.3f} ms over {len(timed)} drains\n")


if __name__ == "__main__":
    main()
