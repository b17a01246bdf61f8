"""Benchmark 3: ingest. `POST /v1/shipments/batch` throughput, single-POST latency, CSV import rate.

For each database the API (`parcelsync serve`) runs as its own process on a temp database with a
merchant that has all three connections (so every write also plans outbox targets, as in
production); no worker runs. Then `parcelsync import` loads a CSV of --csv-rows rows.

    .venv/bin/python -m bench.ingest                        # SQLite and PostgreSQL, 100,000 CSV rows
    .venv/bin/python -m bench.ingest --db sqlite --csv-rows 0
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from bench.datagen import Dataset, write_csv
from bench.floor import floor_phase
from bench.harness import PARCELSYNC, Database, RssSampler, Stack, mib, percentile, stack
from bench.hub import setup_merchants
from bench.results import record, table
from bench.sandboxes import MerchantAccounts

DUMMY = "http://127.0.0.1:9"  # nothing listens: no worker runs in this benchmark


def offline_accounts(index: int) -> MerchantAccounts:
    return MerchantAccounts(
        index,
        (f"{DUMMY}/useepay", {"merchant_no": f"M{index}", "app_id": "bench", "api_key": "UseePay_SK_x"}),
        (f"{DUMMY}/shopline/s{index}", {"access_token": "t", "handle": f"s{index}"}),
        (f"{DUMMY}/trackingmore/v2", {"api_key": "tmkey-x"}),
    )


async def admin_token(db: Database) -> str:
    from parcelsync.db.engine import make_engine, make_sessionmaker, unit_of_work
    from parcelsync.security.tokens import create_token

    engine = make_engine(db.url)
    try:
        async with unit_of_work(make_sessionmaker(engine)) as session:
            issued = await create_token(session, scope="admin", name="bench")
    finally:
        await engine.dispose()
    return issued.secret


def batch_phase(api: str, headers: dict[str, str], data: Dataset, batches: int, size: int, clients: int,
                offset: int) -> dict[str, Any]:
    """`batches` POSTs of `size` new shipments from `clients` concurrent callers."""
    payloads = [
        {"items": [data.shipment(0, i, offset) for i in range(b * size, (b + 1) * size)]} for b in range(batches)
    ]
    latencies: list[float] = []
    failures = 0

    def post(payload: dict[str, Any]) -> tuple[float, int]:
        with httpx.Client(timeout=120) as http:
            started = time.monotonic()
            r = http.post(f"{api}/v1/shipments/batch", json=payload, headers=headers)
            return time.monotonic() - started, r.status_code

    started = time.monotonic()
    with ThreadPoolExecutor(clients) as pool:
        for seconds, status in pool.map(post, payloads):
            latencies.append(seconds)
            failures += status != 200
    wall = time.monotonic() - started
    total = batches * size
    return {"shipments": total, "batch_size": size, "clients": clients, "wall_s": wall,
            "per_s": total / wall, "batch_p50_s": percentile(latencies, 50), "batch_p99_s": percentile(latencies, 99),
            "failures": failures}


def single_phase(api: str, headers: dict[str, str], data: Dataset, count: int, offset: int) -> dict[str, Any]:
    latencies: list[float] = []
    failures = 0
    with httpx.Client(timeout=60) as http:
        for i in range(count):
            started = time.monotonic()
            r = http.post(f"{api}/v1/shipments", json=data.shipment(0, i, offset), headers=headers)
            latencies.append((time.monotonic() - started) * 1000)
            failures += r.status_code not in (200, 201)
    return {"requests": count, "p50_ms": percentile(latencies, 50), "p99_ms": percentile(latencies, 99),
            "mean_ms": sum(latencies) / len(latencies), "failures": failures}


def csv_phase(s: Stack, db: Database, merchant: str, rows: int) -> dict[str, Any]:
    path = write_csv(s.workdir / "import.csv", rows, offset=50_000_000)
    started = time.monotonic()
    importer = subprocess.Popen(
        [str(PARCELSYNC), "import", str(path), "--merchant", merchant], env=s.env(db),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    sampler = RssSampler(importer.pid)
    output, _ = importer.communicate(timeout=3600)
    wall = time.monotonic() - started
    return {"rows": rows, "wall_s": wall, "rows_per_s": rows / wall, "exit": importer.returncode,
            "peak_rss_mib": mib(sampler.stop()), "output_tail": output[-1500:]}


def run_db(args: argparse.Namespace, kind: str) -> dict[str, Any]:
    with stack(f"ingest-{kind}") as s:
        db = s.database(kind)
        (merchant,) = asyncio.run(setup_merchants(db.url, s.secret_key, [offline_accounts(0)]))
        token = asyncio.run(admin_token(db))
        api = s.api(db)
        headers = {"Authorization": f"Bearer {token}", "X-Merchant-Id": merchant}
        data = Dataset(1, 10**7, 3)
        out: dict[str, Any] = {"db": kind}
        out["batch_1_client"] = batch_phase(api.url, headers, data, args.batches, args.batch_size, 1, 0)
        out["floor"] = floor_phase(db, s.database(kind, "floor"), args.batches, args.batches * args.batch_size)
        out["batch_4_clients"] = batch_phase(api.url, headers, data, args.batches, args.batch_size, 4, 1_000_000)
        out["single"] = single_phase(api.url, headers, data, args.singles, 2_000_000)
        out["api_peak_rss_mib"] = mib(api.sampler.peak if api.sampler else 0)
        api.stop()
        if args.csv_rows:
            out["csv"] = csv_phase(s, db, merchant, args.csv_rows)
        return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--singles", type=int, default=1000)
    parser.add_argument("--csv-rows", type=int, default=100_000)
    args = parser.parse_args()
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    results = [run_db(args, kind) for kind in kinds]
    rows = []
    for r in results:
        b1, b4, one = r["batch_1_client"], r["batch_4_clients"], r["single"]
        csv = r.get("csv")
        rows.append([
            r["db"], f"{b1['per_s']:.0f}",
            f"{r['floor']['per_s']:.0f} ({b1['per_s'] / r['floor']['per_s']:.2f}x)",
            f"{b4['per_s']:.0f}", f"{b1['batch_p50_s']:.2f} / {b1['batch_p99_s']:.2f}",
            f"{one['p50_ms']:.1f} / {one['p99_ms']:.1f}",
            f"{csv['rows_per_s']:.0f} ({csv['wall_s']:.0f} s, exit {csv['exit']}, "
            f"importer peak RSS {csv['peak_rss_mib']:.0f} MiB)" if csv else "not run",
            f"{r['api_peak_rss_mib']:.0f}",
        ])
    lines = [
        f"Batches of {args.batch_size} new shipments ({args.batches} batches per run), a merchant with all three "
        f"connections (every write plans 3 outbox targets); single POSTs: {args.singles} new shipments, one client, "
        "sequential. Floor: the rows of the 1-client phase (shipments, targets, events, status events) written "
        "again with the plain driver (sqlite3 executemany / asyncpg COPY), as many transactions. "
        "CSV: `parcelsync import` of new rows. Failures: "
        + ", ".join(f"{r['db']} {r['batch_1_client']['failures'] + r['batch_4_clients']['failures']}"
                    f"+{r['single']['failures']}" for r in results),
        "",
        *table(["db", "batch shipments/s (1 client)", "plain driver floor /s (hub / floor)",
                "batch shipments/s (4 clients)", "batch p50 / p99 (s)",
                "single POST p50 / p99 (ms)", f"CSV import rows/s ({args.csv_rows} rows)", "API peak RSS (MiB)"],
               rows),
    ]
    path = record("ingest", "Benchmark 3: ingest", lines, {"args": vars(args), "results": results})
    sys.stdout.write("\n".join(lines) + f"\n\nraw: {path}\n")


if __name__ == "__main__":
    main()
