"""The second demo store (PayPal + AfterShip) syncs end to end alongside the first, as `make demo` seeds it."""

from __future__ import annotations

import pytest
from tests.integration.sync.sync_harness import Hub, shipment

from parcelsync.cli.demo import prepare_second_store
from parcelsync.ingest.demo import SECOND_MERCHANT, second_store_shipments

pytestmark = pytest.mark.anyio


async def test_second_demo_store_syncs_everything(hub: Hub) -> None:
    created = await prepare_second_store(hub.settings, hub.urls, hub.http, "http://127.0.0.1:1", hub.sessions)
    assert created == 20
    await hub.upsert([shipment(10, intent=1, order=1)])
    await hub.drain(hub.worker())
    targets = await hub.targets()
    assert targets and {t.state for t in targets} == {"synced"}
    items = second_store_shipments()
    paypal = hub.sandboxes.paypal
    held = {(t.order_id, t.tracking_number) for app in paypal.apps for t in paypal.trackers_of(app)}
    assert held == {(i["payment_intent_id"], i["tracking_number"]) for i in items}
    aftership = [a for a in hub.sandboxes.aftership.accounts.values() if a.trackings]
    assert len(aftership) == 1 and len(aftership[0].trackings) == len(items)
    assert {t.merchant_id for t in targets} == {SECOND_MERCHANT, "m_test"}
