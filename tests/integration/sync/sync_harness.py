"""Test harness: a hub (database + worker) wired to the three in-process sandboxes through one ASGI transport."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from parcelsync.db.base import utcnow
from parcelsync.db.crypto import CredentialCipher, generate_key
from parcelsync.db.engine import make_engine, make_sessionmaker, unit_of_work
from parcelsync.db.queries.merchants import create_merchant
from parcelsync.db.tables import ShipmentRow, SyncTargetRow
from parcelsync.ingest.demo_link import connect_to_sandboxes
from parcelsync.ingest.service import delete_shipment, upsert_shipments
from parcelsync.sandbox.link import SandboxAccounts, open_sandbox_accounts
from parcelsync.sandbox.server import Sandboxes, SandboxUrls, create_app
from parcelsync.settings import Settings
from parcelsync.sync.retry import RetryPolicy
from parcelsync.sync.worker import Worker

MERCHANT = "m_test"
SANDBOX_ROOT = "http://sandbox"


class SandboxView(Protocol):
    """Anything holding the in-process sandboxes and the merchant's accounts there."""

    sandboxes: Sandboxes
    accounts: SandboxAccounts


class FakeClock:
    """Real time plus an offset the test moves forward (so rows written with real time stay comparable)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return utcnow() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


@dataclass
class Hub:
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    settings: Settings
    cipher: CredentialCipher
    sandboxes: Sandboxes
    http: httpx.AsyncClient
    clock: FakeClock
    urls: SandboxUrls
    accounts: SandboxAccounts

    def worker(self, **kw: Any) -> Worker:
        kw.setdefault("policy", RetryPolicy(0.0, 0.0, self.settings.max_attempts))
        kw.setdefault("concurrency", 4)
        return Worker(self.sessions, self.settings, http=self.http, clock=self.clock, cipher=self.cipher, **kw)

    async def upsert(self, items: list[dict[str, Any]], merchant_id: str = MERCHANT) -> list[Any]:
        async with unit_of_work(self.sessions) as session:
            return await upsert_shipments(session, merchant_id, items)

    async def delete(self, tracking_number: str, merchant_id: str = MERCHANT) -> None:
        async with unit_of_work(self.sessions) as session:
            row = await session.scalar(
                select(ShipmentRow).where(
                    ShipmentRow.merchant_id == merchant_id, ShipmentRow.tracking_number == tracking_number
                )
            )
            assert row is not None
            await delete_shipment(session, merchant_id, row.id)

    async def targets(self, provider: str | None = None) -> list[SyncTargetRow]:
        async with self.sessions() as session:
            stmt = select(SyncTargetRow).order_by(SyncTargetRow.id)
            if provider:
                stmt = stmt.where(SyncTargetRow.provider == provider)
            return list((await session.scalars(stmt)).all())

    async def drain(self, worker: Worker, *, step_s: float = 5.0, rounds: int = 200) -> int:
        """Run the worker until no target is pending, moving the fake clock past backoffs and pauses."""
        total = 0
        for _ in range(rounds):
            total += await worker.run_once()
            if not [t for t in await self.targets() if t.state == "pending"]:
                return total
            self.clock.advance(step_s)
        raise AssertionError("outbox did not drain")

    async def live_shipments(self, merchant_id: str = MERCHANT) -> list[ShipmentRow]:
        async with self.sessions() as session:
            rows = await session.scalars(
                select(ShipmentRow)
                .where(ShipmentRow.merchant_id == merchant_id, ShipmentRow.deleted_at.is_(None))
                .order_by(ShipmentRow.id)
            )
            return list(rows.all())


async def make_hub(database_url: str, **settings_kw: Any) -> Hub:
    settings = Settings(database_url=database_url, secret_key=generate_key(), **settings_kw)
    engine = make_engine(database_url)
    sessions = make_sessionmaker(engine)
    cipher = CredentialCipher(settings.secret_key or "")
    sandboxes = Sandboxes()
    app = create_app(sandboxes)
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=SANDBOX_ROOT, timeout=30)
    urls = SandboxUrls(SANDBOX_ROOT)
    accounts = SandboxAccounts(
        shopline_options={"rate_per_second": 10_000, "bucket_size": 10_000}, shopline_rate_limit=False,
    )
    await open_sandbox_accounts(http, urls, accounts, webhook_url=None)
    async with unit_of_work(sessions) as session:
        await create_merchant(session, "Test merchant", MERCHANT)
        await connect_to_sandboxes(session, cipher, MERCHANT, urls, accounts)
    return Hub(engine, sessions, settings, cipher, sandboxes, http, FakeClock(), urls, accounts)


def shipment(n: int, *, intent: int | None = None, order: int | None = None, **extra: Any) -> dict[str, Any]:
    """A valid shipment: UPU S10 number `n`, optionally on payment intent / order+fulfillment numbers."""
    from parcelsync.ingest.demo import s10_number

    item: dict[str, Any] = {"tracking_number": s10_number(n), "carrier": "china-post"}
    if intent is not None:
        item["payment_intent_id"] = f"pi_{intent:06d}"
    if order is not None:
        item["order_id"] = f"ord{order:06d}"
        item["fulfillment_id"] = f"ful{order:06d}"
    item.update(extra)
    return item


def useepay_sets(hub: SandboxView) -> dict[str, set[str]]:
    return {
        t.payment_intent_id: {s["tracking_number"] for s in t.shipments}
        for t in hub.sandboxes.useepay.all_trackers(hub.accounts.merchant_no)
    }


def shopline_sets(hub: SandboxView) -> dict[str, set[str]]:
    store = hub.sandboxes.shopline.stores[hub.accounts.shop_handle]
    return {
        f"{order_id}/{record.id}": {t.number for t in record.tracking}
        for order_id, fulfillments in store.orders.items()
        for record in fulfillments.values()
    }


def trackingmore_numbers(hub: SandboxView) -> set[str]:
    account = hub.sandboxes.trackingmore.accounts[hub.accounts.trackingmore_api_key]
    return {r.tracking_number for r in account.trackings.values()}


async def assert_sandboxes_match_hub(hub: Hub) -> None:
    """Each sandbox holds exactly the hub's live state: every set, nothing more, nothing missing."""
    live = await hub.live_shipments()
    by_intent: dict[str, set[str]] = {}
    by_fulfillment: dict[str, set[str]] = {}
    for s in live:
        if s.payment_intent_id:
            by_intent.setdefault(s.payment_intent_id, set()).add(s.tracking_number)
        if s.order_id and s.fulfillment_id:
            by_fulfillment.setdefault(f"{s.order_id}/{s.fulfillment_id}", set()).add(s.tracking_number)
    held = useepay_sets(hub)
    assert {k: v for k, v in held.items() if k in by_intent} == by_intent
    assert {k: v for k, v in shopline_sets(hub).items() if v} == {k: v for k, v in by_fulfillment.items() if v}
    assert trackingmore_numbers(hub) == {s.tracking_number for s in live}
