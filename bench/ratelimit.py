"""Benchmark 2: sync under the documented rate limits, against the rate-limit lower bound; 429s counted.

400 shipments (134 fulfillments on one store) with the SHOPLINE sandbox enforcing its leaky bucket
(4 requests/s, bucket 40) and the TrackingMore sandbox its documented limits; the hub runs with
its defaults (no rate option on the connections). SHOPLINE is the binding limit: with the bucket
empty at the start, F calls cannot finish sooner than (F - 40) / 4 seconds after the first one.

    .venv/bin/python -m bench.ratelimit
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from bench.harness import stack
from bench.results import record, table
from bench.sandboxes import PROVIDERS, SandboxAdmin
from bench.sync import sync_phase

SHOPLINE_RATE = 4.0
SHOPLINE_BUCKET = 40


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=400)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--timeout", type=float, default=600.0)
    args = parser.parse_args()
    args.workers, args.concurrency, args.profile = 1, 0, ""
    with stack("ratelimit") as s:
        sandbox = s.sandbox()
        admin = SandboxAdmin(sandbox.url)
        admin.faults_all(latency_ms=args.latency_ms)
        db = s.database(args.db)
        out = asyncio.run(sync_phase(args, s, db, admin, rate_limits=True))
        admin.close()
    calls = out["calls"]
    shopline = out["minimum"]["shopline"]
    bound = max(0.0, (shopline - SHOPLINE_BUCKET) / SHOPLINE_RATE)
    too_many = sum(calls[p]["by_status"].get("429", 0) for p in PROVIDERS)
    rows = [[p, calls[p]["total"], out["minimum"][p], calls[p]["by_status"]] for p in PROVIDERS]
    lines = [
        f"{args.n} shipments ({shopline} fulfillments on one store), {args.db}, sandbox latency "
        f"{args.latency_ms:g} ms, SHOPLINE bucket {SHOPLINE_RATE:g}/s burst {SHOPLINE_BUCKET} enforced by the sandbox, "
        "TrackingMore sandbox rate limits on; hub defaults.",
        "",
        *table(["provider", "calls", "minimum", "statuses"], rows),
        "",
        f"- rate-limit lower bound: ({shopline} - {SHOPLINE_BUCKET}) / {SHOPLINE_RATE:g} = {bound:.1f} s",
        f"- first-to-last sandbox request: **{out['active_s']:.1f} s = {out['active_s'] / bound:.2f}× the bound** "
        "(target ≤ 1.15×)" if bound else f"- first-to-last sandbox request: {out['active_s']:.1f} s",
        f"- worker spawn → nothing pending: {out['wall_s']:.1f} s (includes process start-up)",
        f"- 429 answers: **{too_many}** (target 0)",
        f"- hub vs sandboxes: lost {out['verdict']['lost']}, clobbered {out['verdict']['clobbered']}, "
        f"duplicates {out['verdict']['duplicates']}; final states {out['final_states']}",
    ]
    path = record("ratelimit", f"Benchmark 2: under rate limits (N={args.n}, {args.db})", lines,
                  {"args": vars(args), "result": out, "bound_s": bound, "429s": too_many})
    sys.stdout.write("\n".join(lines) + f"\n\nraw: {path}\n")


if __name__ == "__main__":
    main()
