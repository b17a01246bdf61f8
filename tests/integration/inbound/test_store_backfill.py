"""Backfill of 1,000 store fulfillments over the paged order API, and webhook subscription, on both databases."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select, update
from tests.integration.inbound.inbound_harness import WEBHOOK_URL, InboundHub, make_inbound_hub
from tests.integration.sync.sync_harness import MERCHANT

from parcelsync.connectors.registry import with_inbound
from parcelsync.db.base import utcnow
from parcelsync.db.engine import unit_of_work
from parcelsync.db.tables import ConnectionRow, InboundBackfillRow, ShipmentRow
from parcelsync.ingest.demo import s10_number
from parcelsync.ingest.store.backfill import BackfillProgress, run_backfill
from parcelsync.ingest.store.subscribe import subscribe_store

pytestmark = pytest.mark.anyio
SOURCE = next(c.inbound for c in with_inbound() if c.inbound is not None)
TOTAL = 1000


class Killed(Exception):
    """Stands in for the process being killed between two pages."""


@pytest.fixture
async def inbound(database_url: str) -> AsyncIterator[InboundHub]:
    h = await make_inbound_hub(database_url)
    try:
        yield h
    finally:
        await h.aclose()


async def _seed(inbound: InboundHub) -> None:
    """1,000 orders of one fulfillment each (800 shipped, 200 partially shipped), and a tight bucket."""
    state = inbound.hub.sandboxes.shopline
    store = state.add_store(inbound.hub.accounts.shop_handle, inbound.hub.accounts.shopline_token,
                            rate_limit=True, rate_per_second=4, bucket_size=5)
    for n in range(TOTAL):
        order_id = f"bo{n:05d}"
        store.add_fulfillment(order_id, f"bf{n:05d}", tracking_info_list=[
            {"tracking_company": "China Post", "tracking_number": s10_number(10_000 + n)}])
        info = store.info(order_id)
        info.pay_channel_deal_id = f"pi_b{n:05d}"
        info.fulfillment_status = "partial" if n % 5 == 0 else "shipped"
    async with unit_of_work(inbound.hub.sessions) as session:
        await session.execute(
            update(ConnectionRow).where(ConnectionRow.merchant_id == MERCHANT, ConnectionRow.provider == "shopline")
            .values(options={"rate_per_second": 4, "bucket_size": 4})
        )


async def _backfill(inbound: InboundHub, on_page: object = None) -> BackfillProgress:
    hub = inbound.hub
    return await run_backfill(hub.sessions, hub.cipher, SOURCE, MERCHANT, days=60, http=hub.http, now=utcnow,
                              on_page=on_page)  # type: ignore[arg-type]


def _order_calls(inbound: InboundHub) -> list[tuple[int, str]]:
    return [(r.status, r.query) for r in inbound.hub.sandboxes.shopline.log.items if r.path.endswith("/orders.json")]


async def test_backfill_of_1000_fulfillments_resumes_after_a_kill_and_is_idempotent(inbound: InboundHub) -> None:
    await _seed(inbound)
    seen: list[BackfillProgress] = []

    def kill_after_five(progress: BackfillProgress) -> None:
        seen.append(progress)
        if progress.pages == 5:
            raise Killed

    with pytest.raises(Killed):
        await _backfill(inbound, kill_after_five)
    async with inbound.hub.sessions() as session:
        row = await session.scalar(select(InboundBackfillRow))
        assert row is not None and row.state == "running" and row.pages == 5 and row.cursor["page_info"]
    assert await inbound.shipment_count() == 500

    resumed = await _backfill(inbound)
    assert resumed.state == "done" and resumed.resumed
    assert (resumed.pages, resumed.fulfillments, resumed.rejected) == (10, TOTAL, 0)
    calls = _order_calls(inbound)
    assert len(calls) == 10, "the resumed run starts at page 6, not at the first page"
    assert [s for s, _ in calls if s == 429] == []
    assert all("limit=100" in q for _, q in calls)
    async with inbound.hub.sessions() as session:
        rows = (await session.execute(
            select(ShipmentRow.tracking_number, func.count()).group_by(ShipmentRow.tracking_number)
        )).all()
        with_intent = await session.scalar(
            select(func.count()).select_from(ShipmentRow).where(ShipmentRow.payment_intent_id.like("pi_b%"))
        )
    assert len(rows) == TOTAL and {count for _, count in rows} == {1}
    assert with_intent == TOTAL

    again = await _backfill(inbound)
    assert (again.state, again.resumed, again.fulfillments, again.changed) == ("done", False, TOTAL, 0)
    assert await inbound.shipment_count() == TOTAL
    assert [s for s, _ in _order_calls(inbound) if s == 429] == []


async def test_subscribe_creates_each_topic_once(inbound: InboundHub) -> None:
    hub = inbound.hub
    first = await subscribe_store(hub.sessions, hub.cipher, SOURCE, MERCHANT, "http://hub/", http=hub.http)
    second = await subscribe_store(hub.sessions, hub.cipher, SOURCE, MERCHANT, "http://hub", http=hub.http)
    assert [(s.topic, s.result) for s in first] == [
        ("fulfillments/create", "created"), ("fulfillments/update", "created"),
    ]
    assert [s.result for s in second] == ["exists", "exists"]
    assert {(s.topic, s.address) for s in inbound.store.subscriptions.values()} == {
        ("fulfillments/create", WEBHOOK_URL), ("fulfillments/update", WEBHOOK_URL),
    }
    posts = [r for r in hub.sandboxes.shopline.log.items if r.method == "POST" and r.path.endswith("/webhooks.json")]
    assert len(posts) == 2 and posts[0].body["webhook"]["api_version"] == "v20240601"
