"""Quick mode (`make bench`): ingest and sync at a reduced N, in a few minutes, printing the issue #13 ratios.

Not a result for RESULTS.md (nothing is recorded): a check, run the day a hot path changes, that
it did not get slower. Each line prints the measured value, its target and measured / target
(>= 1 meets it, for the limits <= the target it is target / measured).

    .venv/bin/python -m bench.quick                 # SQLite
    .venv/bin/python -m bench.quick --db postgres
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time

from bench.harness import stack
from bench.ingest import run_db
from bench.sandboxes import PROVIDERS, SandboxAdmin
from bench.sync import naive_phase, sync_phase

INGEST_TARGET = {"sqlite": 5000.0, "postgres": 4000.0}


def line(name: str, value: float, target: float, unit: str, *, at_most: bool = False) -> str:
    ratio = target / value if at_most else value / target
    sign = "<=" if at_most else ">="
    return f"{name:<44} {value:>10.2f} {unit:<12} target {sign} {target:g} {unit:<12} ratio {ratio:5.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--batches", type=int, default=5)
    parser.add_argument("-n", type=int, default=1500, help="shipments synced")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    args = parser.parse_args()
    started = time.monotonic()
    ingest_args = argparse.Namespace(batches=args.batches, batch_size=1000, singles=300, csv_rows=10_000)
    ingest = run_db(ingest_args, args.db)
    sync_args = argparse.Namespace(
        n=args.n, db=args.db, latency_ms=args.latency_ms, workers=1, concurrency=0, naive_sample=60,
        timeout=300.0, profile="", diagnose=False, pending_index=False,
    )
    with stack("quick-sync") as s:
        sandbox = s.sandbox()
        admin = SandboxAdmin(sandbox.url)
        admin.faults_all(latency_ms=args.latency_ms)
        db = s.database(args.db)
        sync = asyncio.run(sync_phase(sync_args, s, db, admin))
        naive = naive_phase(sync_args, admin)
        admin.close()
    b1, floor, one, csv = ingest["batch_1_client"], ingest["floor"], ingest["single"], ingest["csv"]
    synced = sum(n for key, n in sync["final_states"].items() if key.endswith(":synced"))
    minimum_met = all(sync["calls"][p]["total"] == sync["minimum"][p] for p in PROVIDERS)
    verdict = sync["verdict"]
    out = [
        f"quick mode, {args.db}, load average {os.getloadavg()[0]:.2f} (1 min), {time.monotonic() - started:.0f} s",
        line("1 batch ingest over HTTP, 1 client", b1["per_s"], INGEST_TARGET[args.db], "shipments/s"),
        line("2 hub / plain driver", b1["per_s"] / floor["per_s"], 0.5, "x"),
        line("3 single POST p50", one["p50_ms"], 5.0, "ms", at_most=True),
        line("3 single POST p99", one["p99_ms"], 20.0, "ms", at_most=True),
        line("4 CSV import (10,000 rows)", csv["rows_per_s"], INGEST_TARGET[args.db], "rows/s"),
        line("5 worker CPU per synced target", 1000 * sync["worker_cpu_s"] / max(1, synced), 0.5, "ms",
             at_most=True),
        line(f"6 naive wall / hub wall (N={args.n})", naive["extrapolated_s"] / sync["wall_s"], 100.0, "x"),
        f"  calls exactly the minimum: {minimum_met}; lost {verdict['lost']}, clobbered {verdict['clobbered']}, "
        f"duplicates {verdict['duplicates']}",
        "(worker CPU includes its start-up and idle polling: at small N it reads high)",
    ]
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
