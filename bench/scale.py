"""Benchmark 4: a million stored shipments: API RSS, `GET /v1/shipments` filtered list p99, dashboard search p99,
and the buyer tracking page: the order page and its JSON endpoint, opened by token (`--only tracking` runs just those).

The rows are bulk-loaded (bench/scaledata.py) for a few merchants (default: 900,000 + 100,000),
then one `parcelsync serve` process answers a sequential client. Every case is sampled with real
values taken from the loaded rows (a different value per request), up to --requests times or
--case-seconds, whichever comes first. Deep pages use a cursor that points at a random row of
the whole range (same JSON as the server's cursor), so they cost what page 5,000 would.
The dashboard is reached like a person would: GET the login form, POST it with its CSRF token.

    .venv/bin/python -m bench.scale                       # SQLite, 1,000,000
    .venv/bin/python -m bench.scale --db postgres
    .venv/bin/python -m bench.scale --only tracking --per-merchant 300000 30000
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import sys
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx

from bench.harness import Database, Stack, mib, percentile, stack
from bench.results import record, table
from bench.scaledata import Loaded, load_postgres, load_sqlite

PASSWORD = "bench-password-0"
STATUSES = ("delivered", "in_transit", "exception", "pending", "expired", "out_for_delivery")
ROW_LINK = re.compile(r'href="/dashboard/shipments/\d')
CARRIERS = ("china-post", "ups", "usps", "yanwen", "dhl", "fedex", "4px", "sf-express")


def cursor(last_id: int, updated: datetime | None = None) -> str:
    """A keyset cursor in the server's own (checksummed) format."""
    from parcelsync.db.queries.shipment_filter import Position, encode_position

    return encode_position(Position(last_id, updated), "updated_at" if updated else "id")


async def setup(db: Database, merchants: list[str]) -> str:
    """Merchants, an admin API token and a dashboard user; returns the token."""
    from parcelsync.db.engine import make_engine, make_sessionmaker, unit_of_work
    from parcelsync.db.queries.merchants import create_merchant
    from parcelsync.security.passwords import create_user
    from parcelsync.security.tokens import create_token

    engine = make_engine(db.url)
    try:
        async with unit_of_work(make_sessionmaker(engine)) as session:
            for mid in merchants:
                await create_merchant(session, f"Scale merchant {mid}", mid)
            await create_user(session, "bench", PASSWORD)
            issued = await create_token(session, scope="admin", name="bench-scale")
    finally:
        await engine.dispose()
    return issued.secret


def api_cases(loaded: Loaded, mid: str, rng: random.Random) -> dict[str, Callable[[], dict[str, str]]]:
    """Case name -> a function giving the query parameters of one request."""
    samples = loaded.samples[mid]
    lo, hi = loaded.id_range[mid]

    def pick() -> dict[str, Any]:
        return rng.choice(samples)

    def iso(s: dict[str, Any]) -> str:
        return s["updated_at"].isoformat()

    return {
        "no filter, first page": lambda: {},
        "status": lambda: {"status": rng.choice(STATUSES)},
        "carrier": lambda: {"carrier": rng.choice(CARRIERS)},
        "order_id": lambda: {"order_id": pick()["order_id"]},
        "payment_intent_id": lambda: {"payment_intent_id": pick()["payment_intent_id"] or "pi_none"},
        "tracking_number_prefix (10 chars)": lambda: {"tracking_number_prefix": pick()["tracking_number"][:10]},
        "tracking_number_prefix (narrow: all but 2 chars)": lambda: {
            "tracking_number_prefix": pick()["tracking_number"][:-2]},
        "tracking_number_prefix (4 chars)": lambda: {"tracking_number_prefix": pick()["tracking_number"][:4]},
        "customer_email": lambda: {"customer_email": pick()["customer_email"]},
        "updated_since (last 7 days)": lambda: {
            "updated_since": (loaded.now.replace(tzinfo=None) - _days(rng.uniform(0, 7))).isoformat() + "Z"},
        "updated_since (last 7 days), sort=updated_at": lambda: {
            "updated_since": (loaded.now.replace(tzinfo=None) - _days(rng.uniform(0, 7))).isoformat() + "Z",
            "sort": "updated_at"},
        "updated_since (random), sort=updated_at": lambda: {"updated_since": iso(pick()), "sort": "updated_at"},
        "deep page, no filter": lambda: {"cursor": cursor(rng.randint(lo, hi))},
        "deep page, status": lambda: {"status": rng.choice(STATUSES), "cursor": cursor(rng.randint(lo, hi))},
        "deep page, carrier": lambda: {"carrier": rng.choice(CARRIERS), "cursor": cursor(rng.randint(lo, hi))},
        "deep page, sort=updated_at": lambda: (
            lambda s: {"sort": "updated_at", "cursor": cursor(s["id"], s["updated_at"])})(pick()),
    }


def _days(n: float) -> Any:
    from datetime import timedelta

    return timedelta(days=n)


def dashboard_cases(loaded: Loaded, mid: str, rng: random.Random) -> dict[str, Callable[[], dict[str, str]]]:
    samples = loaded.samples[mid]
    lo, hi = loaded.id_range[mid]

    def deep_list() -> dict[str, str]:
        row = rng.choice(samples)
        return {"merchant": mid, "after": f"{row['updated_at'].isoformat()}~{row['id']}"}

    def q(field: str, cut: int | None = None) -> Callable[[], dict[str, str]]:
        def make() -> dict[str, str]:
            value = rng.choice(samples)[field] or "pi_none"
            return {"merchant": mid, "q": value[:cut] if cut else value}
        return make

    return {
        "list, no search": lambda: {"merchant": mid},
        "q = tracking number": q("tracking_number"),
        "q = tracking number prefix (8 chars)": q("tracking_number", 8),
        "q = order id": q("order_id"),
        "q = payment intent id": q("payment_intent_id"),
        "q = customer email": q("customer_email"),
        "status filter": lambda: {"merchant": mid, "status": rng.choice(STATUSES)},
        "carrier filter": lambda: {"merchant": mid, "carrier": rng.choice(CARRIERS)},
        "list, deep page (after=)": deep_list,
        "status filter, deep page": lambda: {"merchant": mid, "status": rng.choice(STATUSES),
                                             "after": str(rng.randint(lo, hi))},
        "destination useepay:parked": lambda: {"merchant": mid, "destination": "useepay:parked"},
        "destination trackingmore:pending": lambda: {"merchant": mid, "destination": "trackingmore:pending"},
    }


def measure(client: httpx.Client, path: str, cases: dict[str, Callable[[], dict[str, str]]], requests: int,
            budget_s: float, check: Callable[[httpx.Response], int]) -> list[dict[str, Any]]:
    """Per case: latencies of sequential GETs (up to `requests`, or `budget_s` seconds), rows seen, failures."""
    out = []
    for name, params in cases.items():
        lat: list[float] = []
        rows: list[int] = []
        failures = 0
        started = time.monotonic()
        while len(lat) < requests and time.monotonic() - started < budget_s:
            t0 = time.perf_counter()
            resp = client.get(path, params=params())
            lat.append(time.perf_counter() - t0)
            if resp.status_code != 200:
                failures += 1
            else:
                rows.append(check(resp))
        out.append({"case": name, "n": len(lat), "p50_ms": 1000 * percentile(lat, 50),
                    "p99_ms": 1000 * percentile(lat, 99), "max_ms": 1000 * max(lat),
                    "mean_rows": sum(rows) / len(rows) if rows else 0, "failures": failures})
        sys.stdout.write(f"  {name}: n={len(lat)} p50={out[-1]['p50_ms']:.1f} ms p99={out[-1]['p99_ms']:.1f} ms "
                         f"rows={out[-1]['mean_rows']:.0f} failures={failures}\n")
        sys.stdout.flush()
    return out


CHECKPOINTS_PER_PARCEL = 8


async def tracking_setup(db: Database, loaded: Loaded, mid: str) -> None:
    """The merchant's branded page, and a timeline of checkpoints for every sampled order's parcels."""
    from datetime import timedelta

    from sqlalchemy import select

    from parcelsync.db.engine import make_engine, make_sessionmaker, unit_of_work
    from parcelsync.db.queries.tracking_pages import save_page
    from parcelsync.db.tables import CheckpointRow, ShipmentRow

    engine = make_engine(db.url)
    orders = sorted({s["order_id"] for s in loaded.samples[mid] if s["order_id"]})
    try:
        async with unit_of_work(make_sessionmaker(engine)) as session:
            await save_page(session, mid, {"display_name": "Scale shop", "accent_color": "#0b6e4f",
                                           "support_email": "help@scale.example", "message": "Thanks!"})
            for start in range(0, len(orders), 500):
                rows = await session.scalars(select(ShipmentRow).where(
                    ShipmentRow.merchant_id == mid, ShipmentRow.order_id.in_(orders[start:start + 500])))
                for row in rows:
                    first = row.created_at
                    session.add_all(CheckpointRow(shipment_id=row.id, time=first + timedelta(hours=12 * n),
                                                  description=f"Scan {n} at the sorting centre", location="Shenzhen",
                                                  status="in_transit") for n in range(CHECKPOINTS_PER_PARCEL))
    finally:
        await engine.dispose()


def tracking_paths(loaded: Loaded, mid: str, secret_key: str, rng: random.Random) -> dict[str, Callable[[], str]]:
    """The order page and the JSON endpoint of a random sampled order (a fresh order per request)."""
    from parcelsync.security.order_tokens import OrderTokens

    tokens = OrderTokens.from_secret(secret_key)
    orders = sorted({s["order_id"] for s in loaded.samples[mid] if s["order_id"]})

    def token() -> str:
        return tokens.issue(mid, rng.choice(orders))

    return {
        "order page (HTML)": lambda: f"/track/{mid}/{token()}",
        "JSON endpoint": lambda: f"/track/{mid}/api/orders/{token()}",
        "order page, Accept-Language ja": lambda: f"/track/{mid}/{token()}?lang=ja",
    }


def measure_tracking(client: httpx.Client, cases: dict[str, Callable[[], str]], requests: int,
                     budget_s: float) -> list[dict[str, Any]]:
    """Per case: latencies of sequential GETs of a fresh path each, parcels shown, non-200 answers."""
    out = []
    for name, path in cases.items():
        lat: list[float] = []
        parcels: list[int] = []
        failures = 0
        started = time.monotonic()
        while len(lat) < requests and time.monotonic() - started < budget_s:
            url = path()
            t0 = time.perf_counter()
            resp = client.get(url)
            lat.append(time.perf_counter() - t0)
            if resp.status_code != 200:
                failures += 1
            elif "/api/" in url:
                parcels.append(len(resp.json()["order"]["parcels"]))
            else:
                parcels.append(resp.text.count('<section class="parcel'))
        out.append({"case": name, "n": len(lat), "p50_ms": 1000 * percentile(lat, 50),
                    "p99_ms": 1000 * percentile(lat, 99), "max_ms": 1000 * max(lat),
                    "mean_rows": sum(parcels) / len(parcels) if parcels else 0, "failures": failures})
        sys.stdout.write(f"  {name}: n={len(lat)} p50={out[-1]['p50_ms']:.1f} ms p99={out[-1]['p99_ms']:.1f} ms "
                         f"parcels={out[-1]['mean_rows']:.1f} failures={failures}\n")
        sys.stdout.flush()
    return out


def login(client: httpx.Client) -> None:
    """The dashboard login a person does: the form (CSRF token + its cookie), then POST it."""
    form = client.get("/dashboard/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    if token is None:
        raise RuntimeError(f"no CSRF token in the login form ({form.status_code})")
    resp = client.post("/dashboard/login", data={"username": "bench", "password": PASSWORD,
                                                  "csrf_token": token.group(1), "next": "/dashboard/"})
    if resp.status_code != 303:
        raise RuntimeError(f"dashboard login failed: {resp.status_code}")


def overview(client: httpx.Client, mids: list[str], repeats: int) -> dict[str, Any]:
    """Overview page: the first (uncached statistics) load of each merchant, then cached loads of the first."""
    cold: dict[str, float] = {}
    for mid in mids:
        t0 = time.perf_counter()
        resp = client.get("/dashboard/", params={"merchant": mid})
        cold[mid] = time.perf_counter() - t0
        if resp.status_code != 200:
            raise RuntimeError(f"overview {mid}: {resp.status_code}")
    warm = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        client.get("/dashboard/", params={"merchant": mids[0]})
        warm.append(time.perf_counter() - t0)
    return {"cold_s": cold, "warm_p50_ms": 1000 * percentile(warm, 50), "warm_p99_ms": 1000 * percentile(warm, 99)}


def run(args: argparse.Namespace, s: Stack) -> dict[str, Any]:
    db = s.database(args.db, "scale")
    plan = [(f"m_scale{i:05d}", n) for i, n in enumerate(args.per_merchant)]
    token = asyncio.run(setup(db, [m for m, _ in plan]))
    sys.stdout.write(f"loading {sum(n for _, n in plan):,} shipments into {args.db} ...\n")
    loaded = load_sqlite(db.name, plan) if db.kind == "sqlite" else asyncio.run(load_postgres(db.sync_dsn, plan))
    sys.stdout.write(f"loaded in {loaded.seconds:.0f} s; targets {loaded.targets}\n")
    mid = plan[0][0]
    asyncio.run(tracking_setup(db, loaded, mid))
    size = _db_size(db)
    api = s.api(db)
    assert api.sampler is not None
    idle_rss = api.sampler.sample()
    rng = random.Random(3)
    listing: list[dict[str, Any]] = []
    search: list[dict[str, Any]] = []
    over: dict[str, Any] = {}
    if args.only != "tracking":
        headers = {"Authorization": f"Bearer {token}", "X-Merchant-Id": mid}
        with httpx.Client(base_url=api.url, headers=headers, timeout=60) as client:
            sys.stdout.write("GET /v1/shipments\n")
            listing = measure(client, "/v1/shipments", api_cases(loaded, mid, rng), args.requests,
                              args.case_seconds, lambda r: len(r.json()["items"]))
        with httpx.Client(base_url=api.url, timeout=60, follow_redirects=False) as client:
            login(client)
            sys.stdout.write("dashboard\n")
            over = overview(client, [m for m, _ in plan], repeats=20)
            search = measure(client, "/dashboard/shipments", dashboard_cases(loaded, mid, rng), args.requests,
                             args.case_seconds, lambda r: len(ROW_LINK.findall(r.text)))
    with httpx.Client(base_url=api.url, timeout=60, follow_redirects=False) as client:
        sys.stdout.write("tracking page\n")
        tracking = measure_tracking(client, tracking_paths(loaded, mid, s.secret_key, rng), args.requests,
                                    args.case_seconds)
    return {
        "db": args.db, "plan": plan, "load_s": loaded.seconds, "targets": loaded.targets, "db_size_mib": size,
        "api_rss_idle_mib": mib(idle_rss), "api_rss_now_mib": mib(api.sampler.sample()),
        "api_rss_peak_mib": mib(api.sampler.peak), "api_cpu_s": api.sampler.cpu_s,
        "listing": listing, "overview": over, "search": search, "tracking": tracking,
    }


def _db_size(db: Database) -> float:
    if db.kind == "sqlite":
        import os

        return sum(os.path.getsize(p) for p in (db.name, db.name + "-wal") if os.path.exists(p)) / 2**20

    async def size() -> float:
        import asyncpg

        conn = await asyncpg.connect(db.sync_dsn)
        try:
            return float(await conn.fetchval("SELECT pg_database_size(current_database())")) / 2**20
        finally:
            await conn.close()

    return asyncio.run(size())


def report(args: argparse.Namespace, r: dict[str, Any]) -> None:
    total = sum(n for _, n in r["plan"])
    big, big_n = r["plan"][0]
    fmt = [[c["case"], c["n"], f"{c['p50_ms']:.1f}", f"**{c['p99_ms']:.1f}**", f"{c['max_ms']:.0f}",
            f"{c['mean_rows']:.0f}", c["failures"]] for c in r["listing"]]
    dash = [[c["case"], c["n"], f"{c['p50_ms']:.1f}", f"**{c['p99_ms']:.1f}**", f"{c['max_ms']:.0f}",
             f"{c['mean_rows']:.0f}", c["failures"]] for c in r["search"]]
    over = r["overview"]
    track = [[c["case"], c["n"], f"{c['p50_ms']:.1f}", f"**{c['p99_ms']:.1f}**", f"{c['max_ms']:.0f}",
              f"{c['mean_rows']:.1f}", c["failures"]] for c in r["tracking"]]
    tracking_lines = [
        "",
        f"Buyer tracking page by token, a random sampled order per request ({CHECKPOINTS_PER_PARCEL} checkpoints per "
        "parcel; no session, branded page; ms):",
        "",
        *table(["case", "requests", "p50", "p99", "max", "parcels/order", "non-200"], track),
    ]
    lines = [
        f"{total:,} shipments on {r['db']} ({', '.join(f'{m}: {n:,}' for m, n in r['plan'])}), "
        f"{sum(r['targets'].values()):,} outbox targets {r['targets']}; bulk-loaded in {r['load_s']:.0f} s "
        f"(bench/scaledata.py, indexes rebuilt after the load); database size {r['db_size_mib']:.0f} MiB. "
        f"Queries against {big} ({big_n:,} rows), one sequential client, a fresh value per request.",
        "",
        f"- API process (`parcelsync serve`) RSS: idle after start **{r['api_rss_idle_mib']:.0f} MiB**, "
        f"peak during the run **{r['api_rss_peak_mib']:.0f} MiB**, at the end {r['api_rss_now_mib']:.0f} MiB",
    ]
    if r["listing"]:
        lines += [
            "",
            "`GET /v1/shipments` (limit 100; ms):",
            "",
            *table(["case", "requests", "p50", "p99", "max", "rows/page", "non-200"], fmt),
            "",
            "Dashboard `GET /dashboard/shipments` after a real login (page of 50; ms):",
            "",
            *table(["case", "requests", "p50", "p99", "max", "rows/page", "non-200"], dash),
            "",
            "- Overview page `/dashboard/` first load (statistics not cached): "
            + ", ".join(f"{m} {s:.2f} s" for m, s in over["cold_s"].items())
            + f"; cached (within the minute) p50 {over['warm_p50_ms']:.0f} ms, p99 {over['warm_p99_ms']:.0f} ms",
        ]
    lines += tracking_lines
    path = record("scale", f"Benchmark 4: scale ({total:,} shipments, {r['db']})", lines, {"args": vars(args), **r})
    sys.stdout.write("\n".join(lines) + f"\n\nraw: {path}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--per-merchant", type=int, nargs="+", default=[900_000, 100_000],
                        help="shipments per merchant (the first is queried)")
    parser.add_argument("--requests", type=int, default=200, help="requests per case (at most)")
    parser.add_argument("--case-seconds", type=float, default=20.0, help="time budget per case")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--only", choices=("all", "tracking"), default="all",
                        help="tracking: only the buyer tracking page cases (after the same load)")
    args = parser.parse_args()
    with stack("scale", keep=args.keep) as s:
        report(args, run(args, s))


if __name__ == "__main__":
    main()
