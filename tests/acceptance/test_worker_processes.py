"""Real `parcelsync worker` processes against a real `parcelsync sandbox` server.

- A worker SIGKILLed mid-batch: its leases run out and another worker finishes; nothing is lost.
- Two workers on PostgreSQL while shipments keep changing: the sandboxes' request logs show no
  destination record ever carried by two requests in flight at the same time.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from tests.acceptance.processes import (
    hub_env,
    overlapping_duplicates,
    requests_of,
    sandbox_server,
    start,
    stop,
)

from parcelsync.db.base import Base
from parcelsync.db.crypto import CredentialCipher, generate_key
from parcelsync.db.engine import make_engine, make_sessionmaker, unit_of_work
from parcelsync.db.queries.merchants import create_merchant
from parcelsync.db.tables import SyncTargetRow
from parcelsync.ingest.demo import s10_number
from parcelsync.ingest.demo_link import connect_to_sandboxes
from parcelsync.ingest.service import upsert_shipments
from parcelsync.sandbox.link import SandboxAccounts, open_sandbox_accounts
from parcelsync.sandbox.server import SandboxUrls

pytestmark = [pytest.mark.anyio, pytest.mark.slow]
MERCHANT = "procs"


@dataclass
class Hub:
    url: str
    key: str
    sessions: async_sessionmaker[AsyncSession]
    accounts: SandboxAccounts
    root: str

    async def upsert(self, items: list[dict[str, Any]]) -> None:
        async with unit_of_work(self.sessions) as session:
            results = await upsert_shipments(session, MERCHANT, items)
        assert all(r.status != "rejected" for r in results)

    async def counts(self) -> dict[str, int]:
        async with self.sessions() as session:
            rows = await session.execute(select(SyncTargetRow.state, func.count()).group_by(SyncTargetRow.state))
            return dict(rows.all())  # type: ignore[arg-type]

    async def leased(self) -> int:
        async with self.sessions() as session:
            return await session.scalar(
                select(func.count()).select_from(SyncTargetRow).where(SyncTargetRow.lease_owner.is_not(None))
            ) or 0

    async def wait_synced(self, within_s: float = 120) -> dict[str, int]:
        deadline = time.monotonic() + within_s
        while time.monotonic() < deadline:
            counts = await self.counts()
            if counts and set(counts) == {"synced"}:
                return counts
            await asyncio.sleep(0.25)
        raise AssertionError(f"not synced in time: {await self.counts()}")

    async def faults(self, **config: Any) -> None:
        async with httpx.AsyncClient(base_url=self.root, timeout=10) as http:
            for prefix in ("useepay", "shopline", "trackingmore"):
                (await http.put(f"/{prefix}/_sandbox/faults", json=config)).raise_for_status()


async def empty_database(url: str) -> None:
    """The session's PostgreSQL database may hold other tests' rows: start from empty tables."""
    engine = make_engine(url)
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    async with engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    await engine.dispose()


def item(n: int, **extra: Any) -> dict[str, Any]:
    return {
        "tracking_number": s10_number(n), "carrier": "china-post", "payment_intent_id": f"pi_{n % 40:04d}",
        "order_id": f"{n % 50:05d}", "fulfillment_id": f"f{n % 50:05d}", **extra,
    }


@asynccontextmanager
async def hub_on(database_url: str, root: str) -> AsyncIterator[Hub]:
    key = generate_key()
    engine = make_engine(database_url)
    sessions = make_sessionmaker(engine)
    urls = SandboxUrls(root)
    accounts = SandboxAccounts(
        shopline_rate_limit=False, shopline_options={"rate_per_second": 1000, "bucket_size": 1000}
    )
    async with httpx.AsyncClient(timeout=10) as http:
        await open_sandbox_accounts(http, urls, accounts, webhook_url=None)
    async with unit_of_work(sessions) as session:
        await create_merchant(session, "Processes", MERCHANT)
        await connect_to_sandboxes(session, CredentialCipher(key), MERCHANT, urls, accounts)
    try:
        yield Hub(database_url, key, sessions, accounts, root)
    finally:
        await engine.dispose()


async def assert_sandboxes_hold_the_hub(hub: Hub, numbers: set[str]) -> None:
    async with httpx.AsyncClient(base_url=hub.root, timeout=10) as http:
        trackers = (await http.get("/useepay/_sandbox/trackers")).json()["trackers"]
        fulfillments = (await http.get(f"/shopline/_sandbox/stores/{hub.accounts.shop_handle}/fulfillments")).json()
        trackings = (await http.get("/trackingmore/_sandbox/trackings")).json()
    assert {s["tracking_number"] for t in trackers for s in t["shipments"]} == numbers
    assert {t["tracking_number"] for f in fulfillments["fulfillments"] for t in f["tracking_info_list"]} == numbers
    assert {t["tracking_number"] for t in trackings} == numbers
    expected = {}
    for n in range(len(numbers)):
        expected.setdefault(f"pi_{n % 40:04d}", set()).add(s10_number(n))
    assert {t["payment_intent_id"]: {s["tracking_number"] for s in t["shipments"]} for t in trackers} == expected


async def test_a_worker_killed_mid_batch_is_finished_by_another(sqlite_database_url: str, tmp_path: Path) -> None:
    with sandbox_server(tmp_path / "sandbox.log") as root:
        async with hub_on(sqlite_database_url, root) as hub:
            await hub.upsert([item(n) for n in range(200)])
            await hub.faults(latency_ms=300)
            env = hub_env(hub.url, hub.key, lease_seconds=3, backoff_base_s=0.2, backoff_cap_s=2,
                          worker_poll_interval_s=0.1)
            victim = start(["worker", "--concurrency", "4"], env, tmp_path / "victim.log")
            deadline = time.monotonic() + 30
            while await hub.leased() == 0 or (await hub.counts()).get("synced", 0) == 0:
                assert time.monotonic() < deadline, (tmp_path / "victim.log").read_text()[-2000:]
                await asyncio.sleep(0.05)
            assert stop(victim, signal.SIGKILL) == -signal.SIGKILL
            in_flight = await hub.leased()
            assert in_flight > 0  # killed while holding claims
            assert (await hub.counts()).get("pending", 0) > 0

            await hub.faults(latency_ms=0)
            rescuer = start(["worker", "--concurrency", "4"], env, tmp_path / "rescuer.log")
            try:
                counts = await hub.wait_synced()
            finally:
                assert stop(rescuer) == 0  # SIGTERM: graceful
            assert counts == {"synced": 40 + 50 + 200}
            assert await hub.leased() == 0
            await assert_sandboxes_hold_the_hub(hub, {s10_number(n) for n in range(200)})


@pytest.mark.postgres
async def test_two_workers_on_postgres_never_send_one_target_twice_at_once(
    pg_database_url: str, tmp_path: Path
) -> None:
    await empty_database(pg_database_url)
    with sandbox_server(tmp_path / "sandbox.log") as root:
        async with hub_on(pg_database_url, root) as hub:
            await hub.faults(latency_ms=40)
            env = hub_env(hub.url, hub.key, lease_seconds=30, backoff_base_s=0.1, backoff_cap_s=1,
                          worker_poll_interval_s=0.05)
            await hub.upsert([item(n) for n in range(200)])
            workers = [start(["worker", "--concurrency", "4"], env, tmp_path / f"w{i}.log") for i in range(2)]
            try:
                await hub.wait_synced(within_s=180)
                for round_ in range(3):  # change every shipment while both workers run
                    await hub.upsert([item(n, title=f"round {round_}") for n in range(200)])
                    await asyncio.sleep(0.3)
                counts = await hub.wait_synced()
            finally:
                codes = [stop(w) for w in workers]
            assert codes == [0, 0]
            assert counts == {"synced": 40 + 50 + 200}
            records = requests_of(root)
            assert sum(len(v) for v in records.values()) > 2 * 57  # targets were sent again and again
            assert overlapping_duplicates(records) == []
            async with hub.sessions() as session:
                owners = set(
                    (await session.scalars(select(SyncTargetRow.last_outcome["worker"].as_string()))).all()
                )
            assert len(owners) == 2  # both processes did part of the work
            await assert_sandboxes_hold_the_hub(hub, {s10_number(n) for n in range(200)})
