"""tracking_page_links end to end: the store and payment gateway sandboxes receive the tracking page URL."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from tests.integration.sync.sync_harness import MERCHANT, Hub, make_hub, shipment

from parcelsync.db.engine import unit_of_work
from parcelsync.security.order_tokens import OrderTokens
from parcelsync.tracking_page.config import TrackingPageIn, save_config

pytestmark = pytest.mark.anyio
BASE = "https://track.example.com"


@pytest.fixture
async def hub(database_url: str) -> AsyncIterator[Hub]:
    h = await make_hub(database_url, public_base_url=BASE)
    try:
        yield h
    finally:
        await h.http.aclose()
        await h.engine.dispose()


def _useepay_urls(hub: Hub) -> dict[str, str | None]:
    return {
        s["tracking_number"]: s.get("tracking_url")
        for t in hub.sandboxes.useepay.all_trackers(hub.accounts.merchant_no)
        for s in t.shipments
    }


def _shopline_urls(hub: Hub) -> dict[str, str | None]:
    store = hub.sandboxes.shopline.stores[hub.accounts.shop_handle]
    return {t.number: t.url for f in store.orders.values() for r in f.values() for t in r.tracking}


async def _links(hub: Hub, on: bool) -> None:
    async with unit_of_work(hub.sessions) as session:
        await save_config(session, hub.settings, MERCHANT, TrackingPageIn(tracking_page_links=on))


async def test_sandboxes_receive_the_page_url_when_links_are_on(hub: Hub) -> None:
    carrier_url = "https://carrier.example/track/1"
    await hub.upsert([shipment(1, intent=1, order=1, tracking_url=carrier_url), shipment(2, intent=2)])
    worker = hub.worker()
    await hub.drain(worker)
    n1 = next(s.tracking_number for s in await hub.live_shipments() if s.order_id)
    n2 = next(s.tracking_number for s in await hub.live_shipments() if not s.order_id)
    assert _useepay_urls(hub)[n1] == carrier_url
    assert _shopline_urls(hub)[n1] == carrier_url

    await _links(hub, True)  # turning it on resends the store and gateway targets
    await hub.drain(worker)
    token = OrderTokens.from_secret(hub.settings.secret_key).issue(MERCHANT, "ord000001")
    page = f"{BASE}/track/{MERCHANT}/{token}"
    assert _useepay_urls(hub)[n1] == page
    assert _shopline_urls(hub)[n1] == page
    assert not (_useepay_urls(hub)[n2] or "").startswith(BASE)  # no order number: no page, the carrier's URL
    assert "ord000001" not in token

    await _links(hub, False)
    await hub.drain(worker)
    assert _useepay_urls(hub)[n1] == carrier_url
    assert _shopline_urls(hub)[n1] == carrier_url
