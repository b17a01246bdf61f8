"""Bulk loader for benchmark 4: a million stored shipments (and their outbox targets) written straight to the tables.

Not the ingest path (benchmark 3 measures that): rows go in with `executemany` in one transaction
(SQLite) or COPY (PostgreSQL), the shipment and target indexes dropped during the load and rebuilt
after it, then ANALYZE. The data is deterministic (seeded) and shaped like a cross-border store's
history: ids in chronological order over `DAYS` days, 1-3 parcels per order (one payment intent
and one fulfillment per order, a few orders without either), a skewed carrier mix, statuses by age
(old parcels mostly delivered, recent ones in transit), repeat customers, 0.3% soft-deleted.
"""

from __future__ import annotations

import hashlib
import json
import random
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bench.datagen import COUNTRIES, s10_number, ups_number

DAYS = 400
CARRIERS = (  # (canonical code, weight)
    ("china-post", 24), ("ups", 18), ("usps", 16), ("yanwen", 10), ("dhl", 8), ("fedex", 7),
    ("4px", 6), ("yunexpress", 5), ("royal-mail", 3), ("sf-express", 3),
)
OLD_STATUSES = (("delivered", 88), ("expired", 4), ("exception", 3), ("failed_attempt", 2),
                ("available_for_pickup", 1), ("unknown", 2))
RECENT_STATUSES = (("in_transit", 45), ("info_received", 15), ("pending", 10), ("out_for_delivery", 8),
                   ("delivered", 15), ("exception", 3), ("failed_attempt", 2), ("available_for_pickup", 2))
TARGET_STATES = (("synced", 985), ("pending", 5), ("parked", 5), ("dead", 2), ("skipped", 3))

SHIPMENT_COLUMNS = (
    "id", "merchant_id", "tracking_number", "carrier", "tracking_url", "order_id", "fulfillment_id",
    "payment_intent_id", "title", "logistics_channel", "customer_name", "customer_email", "customer_phone",
    "destination_country", "ship_date", "status", "substatus", "last_event", "delivered_at", "flags",
    "content_hash", "version", "deleted_at", "created_at", "updated_at",
)
TARGET_COLUMNS = (
    "merchant_id", "provider", "target_key", "desired_version", "acked_version", "state", "reason", "attempts",
    "next_attempt_at", "lease_owner", "lease_expires_at", "last_attempt_at", "last_outcome", "synced_at",
    "created_at", "updated_at",
)


def _picker(rng: random.Random, table: tuple[tuple[str, int], ...]) -> Any:
    names = [n for n, _ in table]
    weights = [w for _, w in table]
    return lambda: rng.choices(names, weights)[0]


def tracking_number(carrier: str, k: int) -> str:
    """A plausible number for `carrier`, unique per k (UPS and China Post ones carry valid check digits)."""
    if carrier == "ups":
        return ups_number(k)
    if carrier == "china-post":
        return s10_number(k, "CN")
    if carrier == "royal-mail":
        return s10_number(k, "GB")
    prefix = {"usps": "9400", "yanwen": "YT", "dhl": "JD", "fedex": "7", "4px": "4PX", "yunexpress": "YT8",
              "sf-express": "SF"}[carrier]
    return f"{prefix}{k:014d}"


@dataclass
class Loaded:
    """What the loader wrote, and samples of real values to query with."""

    shipments: dict[str, int] = field(default_factory=dict)
    targets: dict[str, int] = field(default_factory=dict)
    samples: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    id_range: dict[str, tuple[int, int]] = field(default_factory=dict)
    seconds: float = 0.0
    now: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))


def generate(merchant: str, index: int, count: int, first_id: int, now: datetime, seed: int = 11
             ) -> Iterator[tuple[dict[str, Any], list[tuple[str, str]]]]:
    """(shipment row, [(provider, target_key) it opens]) for `count` shipments of one merchant."""
    rng = random.Random(seed * 1000 + index)
    carrier_of = _picker(rng, CARRIERS)
    old_status = _picker(rng, OLD_STATUSES)
    recent_status = _picker(rng, RECENT_STATUSES)
    start = now - timedelta(days=DAYS)
    i = 0
    order = 0
    while i < count:
        parcels = min(count - i, rng.choices((1, 2, 3), (70, 20, 10))[0])
        order += 1
        order_id = f"#{index}{order:07d}"
        fulfillment = f"F{index}{order:08d}" if rng.random() < 0.95 else None
        intent = f"pi_{index}_{order:08d}_{rng.randrange(16**6):06x}" if rng.random() < 0.9 else None
        customer = rng.randrange(max(1, count // 4))
        email = f"buyer{customer}@example{customer % 97}.com"
        country = COUNTRIES[customer % len(COUNTRIES)]
        for _ in range(parcels):
            sid = first_id + i
            created = start + timedelta(seconds=DAYS * 86400 * i / count + rng.random() * 60)
            age_days = (now - created).total_seconds() / 86400
            carrier = carrier_of()
            number = tracking_number(carrier, index * 10_000_000 + i)
            status = old_status() if age_days > 25 else recent_status()
            delivered = created + timedelta(days=rng.uniform(3, 20)) if status == "delivered" else None
            if delivered is not None and delivered > now:
                delivered = now - timedelta(hours=rng.uniform(0, 24))
            updated = min(now, delivered or created + timedelta(days=rng.uniform(0, min(age_days, 20))))
            deleted = updated if rng.random() < 0.003 else None
            row = {
                "id": sid, "merchant_id": merchant, "tracking_number": number, "carrier": carrier,
                "tracking_url": None, "order_id": order_id, "fulfillment_id": fulfillment,
                "payment_intent_id": intent, "title": f"Order {order_id}", "logistics_channel": None,
                "customer_name": f"Customer {customer}", "customer_email": email, "customer_phone": None,
                "destination_country": country, "ship_date": created.date(), "status": status, "substatus": None,
                "last_event": "Delivered" if status == "delivered" else "In transit",
                "delivered_at": delivered, "flags": "[]",
                "content_hash": hashlib.blake2b(number.encode(), digest_size=32).hexdigest(),
                "version": 1, "deleted_at": deleted, "created_at": created, "updated_at": updated,
            }
            keys = [("trackingmore", f"{carrier}/{number}")]
            if parcels and _ == 0:  # the order's shared targets, once
                if intent:
                    keys.append(("useepay", intent))
                if fulfillment:
                    keys.append(("shopline", f"{order_id}/{fulfillment}"))
            yield row, keys
            i += 1


def target_row(merchant: str, provider: str, key: str, at: datetime, state: str) -> dict[str, Any]:
    synced = state == "synced"
    return {
        "merchant_id": merchant, "provider": provider, "target_key": key, "desired_version": 1,
        "acked_version": 1 if synced else 0, "state": state,
        "reason": None if state in ("synced", "pending") else f"bench: {state}", "attempts": 1 if synced else 3,
        "next_attempt_at": at, "lease_owner": None, "lease_expires_at": None, "last_attempt_at": at,
        "last_outcome": json.dumps({"ok": synced}), "synced_at": at if synced else None,
        "created_at": at, "updated_at": at,
    }


def rows(plan: list[tuple[str, int]], now: datetime, loaded: Loaded, sample_every: int = 997
         ) -> Iterator[tuple[str, dict[str, Any] | None, list[dict[str, Any]]]]:
    """Every (table, shipment row, its target rows) of the plan; keeps samples and counts in `loaded`."""
    state_rng = random.Random(5)
    state_of = _picker(state_rng, TARGET_STATES)
    first = 1
    for index, (merchant, count) in enumerate(plan):
        samples: list[dict[str, Any]] = []
        for row, keys in generate(merchant, index, count, first, now):
            targets = [target_row(merchant, p, k, row["updated_at"], state_of()) for p, k in keys]
            if row["id"] % sample_every == 0 and row["deleted_at"] is None:
                samples.append({k: row[k] for k in ("id", "tracking_number", "carrier", "order_id",
                                                      "payment_intent_id", "customer_email", "status",
                                                      "updated_at")})
            yield "shipments", row, targets
        loaded.shipments[merchant] = count
        loaded.samples[merchant] = samples
        loaded.id_range[merchant] = (first, first + count - 1)
        first += count


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


def load_sqlite(path: str, plan: list[tuple[str, int]], chunk: int = 50_000) -> Loaded:
    """Write the plan into a migrated SQLite file (merchants must exist); indexes rebuilt after."""
    loaded = Loaded()
    started = time.monotonic()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type='index' AND tbl_name IN ('shipments', 'sync_targets') "
        "AND sql IS NOT NULL"
    ).fetchall()
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    ship_sql = _insert_sql("shipments", SHIPMENT_COLUMNS)
    target_sql = _insert_sql("sync_targets", TARGET_COLUMNS)
    ships: list[tuple[Any, ...]] = []
    targets: list[tuple[Any, ...]] = []
    for _, row, trows in rows(plan, loaded.now, loaded):
        assert row is not None
        ships.append(tuple(_sqlite_value(row[c]) for c in SHIPMENT_COLUMNS))
        targets.extend(tuple(_sqlite_value(t[c]) for c in TARGET_COLUMNS) for t in trows)
        if len(ships) >= chunk:
            conn.executemany(ship_sql, ships)
            conn.executemany(target_sql, targets)
            ships.clear()
            targets.clear()
    conn.executemany(ship_sql, ships)
    conn.executemany(target_sql, targets)
    conn.commit()
    for _, sql in indexes:
        conn.execute(sql)
    conn.execute("ANALYZE")
    conn.commit()
    loaded.targets = dict(conn.execute("SELECT provider, count(*) FROM sync_targets GROUP BY provider").fetchall())
    conn.close()
    loaded.seconds = time.monotonic() - started
    return loaded


async def load_postgres(dsn: str, plan: list[tuple[str, int]], chunk: int = 50_000) -> Loaded:
    """COPY the plan into a migrated PostgreSQL database; secondary indexes dropped during the load, rebuilt after."""
    import asyncpg

    loaded = Loaded()
    started = time.monotonic()
    conn = await asyncpg.connect(dsn)
    try:
        indexes = await conn.fetch(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename IN ('shipments', 'sync_targets') "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"
        )
        for rec in indexes:
            await conn.execute(f'DROP INDEX "{rec["indexname"]}"')
        ships: list[tuple[Any, ...]] = []
        targets: list[tuple[Any, ...]] = []

        async def flush() -> None:
            await conn.copy_records_to_table("shipments", records=ships, columns=list(SHIPMENT_COLUMNS))
            await conn.copy_records_to_table("sync_targets", records=targets, columns=list(TARGET_COLUMNS))
            ships.clear()
            targets.clear()

        for _, row, trows in rows(plan, loaded.now, loaded):
            assert row is not None
            ships.append(tuple(row[c] for c in SHIPMENT_COLUMNS))
            targets.extend(tuple(t[c] for c in TARGET_COLUMNS) for t in trows)
            if len(ships) >= chunk:
                await flush()
        await flush()
        await conn.execute("SELECT setval(pg_get_serial_sequence('shipments', 'id'), (SELECT max(id) FROM shipments))")
        for rec in indexes:
            await conn.execute(rec["indexdef"])
        await conn.execute("VACUUM ANALYZE shipments")
        await conn.execute("VACUUM ANALYZE sync_targets")
        loaded.targets = {r[0]: r[1] for r in await conn.fetch(
            "SELECT provider, count(*) FROM sync_targets GROUP BY provider")}
    finally:
        await conn.close()
    loaded.seconds = time.monotonic() - started
    return loaded
