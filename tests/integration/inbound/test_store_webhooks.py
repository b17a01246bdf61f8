"""SHOPLINE webhooks into the hub on SQLite and PostgreSQL: signatures, redelivery, echoes, store edits."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select
from tests.integration.inbound.inbound_harness import InboundHub, calls, make_inbound_hub
from tests.integration.sync.sync_harness import shipment, shopline_sets, trackingmore_numbers, useepay_sets

from parcelsync.db.engine import unit_of_work
from parcelsync.db.tables import ConnectionRow, ShipmentRow, StatusEventRow, WebhookDeliveryRow
from parcelsync.ingest.demo import s10_number

pytestmark = pytest.mark.anyio


@pytest.fixture
async def inbound(database_url: str) -> AsyncIterator[InboundHub]:
    h = await make_inbound_hub(database_url)
    try:
        yield h
    finally:
        await h.aclose()


def _fulfillment(order: str, fid: str, *numbers: str, pi: str | None = None) -> dict[str, object]:
    body: dict[str, object] = {
        "id": fid, "order_id": order, "status": "success",
        "tracking_info_list": [{"tracking_company": "China Post", "tracking_number": n} for n in numbers],
    }
    if pi:
        body["pay_channel_deal_id"] = pi
    return body


async def test_valid_signature_creates_shipments_with_source_store(inbound: InboundHub) -> None:
    a, b = s10_number(1), s10_number(2)
    payload = _fulfillment("o1", "f1", a, b, pi="pi_1")
    payload["tracking_info_list"][0]["tracking_url"] = "https://track.example/" + a  # type: ignore[index]
    response = await inbound.post_signed(payload, webhook_id="w-1")
    assert response.status_code == 200, response.text
    assert response.json()["fulfillment"]["created"] == 2
    rows = await inbound.hub.live_shipments()
    assert {(r.tracking_number, r.carrier, r.order_id, r.fulfillment_id, r.payment_intent_id) for r in rows} == {
        (a, "china-post", "o1", "f1", "pi_1"), (b, "china-post", "o1", "f1", "pi_1"),
    }
    assert {r.tracking_number: r.tracking_url for r in rows} == {a: "https://track.example/" + a, b: None}
    async with inbound.hub.sessions() as session:
        sources = set((await session.scalars(select(StatusEventRow.source))).all())
    assert sources == {"shopline"}


async def test_wrong_and_missing_signatures_are_401_and_change_nothing(inbound: InboundHub) -> None:
    payload = _fulfillment("o1", "f1", s10_number(1))
    wrong = await inbound.post_signed(payload, webhook_id="w-1", secret="not-the-secret")
    missing = await inbound.post_signed(payload, webhook_id="w-2", signed=False)
    assert (wrong.status_code, missing.status_code) == (401, 401)
    assert wrong.json()["error"]["code"] and "Hmac" in missing.json()["error"]["message"]
    assert await inbound.shipment_count() == 0
    async with inbound.hub.sessions() as session:
        assert (await session.scalars(select(WebhookDeliveryRow))).all() == []


async def test_unknown_topic_is_acknowledged_and_ignored(inbound: InboundHub) -> None:
    response = await inbound.post_signed({"id": "o1"}, webhook_id="w-9", topic="orders/paid")
    assert response.status_code == 200 and response.json()["result"] == "ignored"
    assert await inbound.shipment_count() == 0


async def test_a_redelivered_webhook_is_applied_once(inbound: InboundHub) -> None:
    inbound.subscribe_in_sandbox()
    created = await inbound.admin_edit("o7", "f7", [s10_number(7)], pay_channel_deal_id="pi_7")
    [message] = created["webhooks"]
    assert message["delivered"] and message["topic"] == "fulfillments/create"
    events = await inbound.status_event_count()
    again = await inbound.hub.http.post(
        f"{inbound.hub.urls.shopline_admin}/_sandbox/webhooks/{message['webhook_id']}/redeliver"
    )
    assert again.json()["delivered"] is True
    second = await inbound.post_signed(message["body"], webhook_id=message["webhook_id"])
    assert second.json()["result"] == "duplicate"
    assert await inbound.shipment_count() == 1
    assert await inbound.status_event_count() == events


async def test_a_hub_write_and_its_echo_make_no_further_provider_call(inbound: InboundHub) -> None:
    inbound.subscribe_in_sandbox()
    hub = inbound.hub
    await hub.upsert([shipment(1, intent=1, order=1), shipment(2, intent=1, order=1)])
    async with hub.worker() as worker:
        await hub.drain(worker)
    echoes = [m for m in hub.sandboxes.shopline.deliveries if m.topic == "fulfillments/update"]
    assert len(echoes) == 1 and echoes[0].delivered
    before = calls(hub)
    async with hub.worker() as worker:
        assert await worker.run_once() == 0
    assert [t for t in await hub.targets() if t.state == "pending"] == []
    assert calls(hub) == before
    assert await inbound.shipment_count() == 2


async def test_a_store_edit_reaches_useepay_and_trackingmore_as_the_new_full_set(inbound: InboundHub) -> None:
    inbound.subscribe_in_sandbox()
    hub = inbound.hub
    a, b, c = shipment(1, intent=1, order=1), shipment(2, intent=1, order=1), s10_number(3)
    await hub.upsert([a, b])
    async with hub.worker() as worker:
        await hub.drain(worker)
    shopline_calls = calls(hub)["shopline"]
    edited = await inbound.admin_edit("ord000001", "ful000001", [a["tracking_number"], c])
    assert edited["webhooks"][0]["delivered"]
    async with hub.worker() as worker:
        await hub.drain(worker)
    assert useepay_sets(hub) == {"pi_000001": {a["tracking_number"], c}}
    assert trackingmore_numbers(hub) == {a["tracking_number"], c}
    assert calls(hub)["shopline"] == shopline_calls  # the store is not written back what it said
    async with hub.sessions() as session:
        gone = await session.scalar(select(ShipmentRow).where(ShipmentRow.tracking_number == b["tracking_number"]))
    assert gone is not None and gone.deleted_at is not None
    removed = await inbound.admin_edit("ord000001", "ful000001", [c])
    assert removed["webhooks"][0]["delivered"]
    async with hub.worker() as worker:
        await hub.drain(worker)
    assert useepay_sets(hub) == {"pi_000001": {c}}
    assert trackingmore_numbers(hub) == {c}


async def test_missing_payment_intent_is_fetched_from_the_order(inbound: InboundHub) -> None:
    inbound.subscribe_in_sandbox()
    hub = inbound.hub
    await hub.http.post(
        f"{hub.urls.shopline_admin}/_sandbox/stores/{hub.accounts.shop_handle}/orders",
        json={"order_id": "o5", "fulfillments": [{"id": "f5"}], "pay_channel_deal_id": "pi_from_order"},
    )
    response = await inbound.post_signed(_fulfillment("o5", "f5", s10_number(5)), webhook_id="w-5")
    assert response.json()["fulfillment"]["payment_intent"] == "pending lookup"
    [row] = await hub.live_shipments()
    assert row.payment_intent_id == "pi_from_order"
    lookups = [r for r in hub.sandboxes.shopline.log.items if r.path.endswith("/orders.json")]
    assert len(lookups) == 1 and "ids=o5" in lookups[0].query


async def test_without_payment_reference_the_shipment_waits_for_one(inbound: InboundHub) -> None:
    hub = inbound.hub
    await inbound.post_signed(_fulfillment("o6", "f6", s10_number(6)), webhook_id="w-6")
    async with hub.worker() as worker:
        await hub.drain(worker)
    [row] = await hub.live_shipments()
    assert row.payment_intent_id is None
    assert useepay_sets(hub) == {}
    assert trackingmore_numbers(hub) == {row.tracking_number}


async def _set_options(h: InboundHub, **options: object) -> None:
    async with unit_of_work(h.hub.sessions) as session:
        row = await session.scalar(select(ConnectionRow).where(ConnectionRow.provider == "shopline"))
        assert row is not None
        row.options = {**(row.options or {}), **options}


async def test_with_source_of_truth_hub_the_hub_set_is_written_back(inbound: InboundHub) -> None:
    inbound.subscribe_in_sandbox()
    hub = inbound.hub
    await _set_options(inbound, source_of_truth="hub")
    a, b = shipment(1, intent=1, order=1), shipment(2, intent=1, order=1)
    await hub.upsert([a, b])
    async with hub.worker() as worker:
        await hub.drain(worker)
    gateway_calls = calls(hub)["useepay"]
    edited = await inbound.admin_edit("ord000001", "ful000001", [a["tracking_number"], s10_number(3)])
    assert edited["webhooks"][0]["delivered"]
    async with hub.worker() as worker:
        await hub.drain(worker)
    assert shopline_sets(hub)["ord000001/ful000001"] == {a["tracking_number"], b["tracking_number"]}
    assert useepay_sets(hub) == {"pi_000001": {a["tracking_number"], b["tracking_number"]}}
    assert calls(hub)["useepay"] == gateway_calls
    assert await inbound.shipment_count() == 2


async def test_a_stale_echo_of_an_older_hub_write_changes_nothing(inbound: InboundHub) -> None:
    hub = inbound.hub
    a, b, c = shipment(1, intent=1, order=1), shipment(2, intent=1, order=1), shipment(3, intent=1, order=1)
    await hub.upsert([a, b])
    async with hub.worker() as worker:
        await hub.drain(worker)
    await hub.upsert([c])
    old_echo = _fulfillment("ord000001", "ful000001", a["tracking_number"], b["tracking_number"])
    response = await inbound.post_signed(old_echo, webhook_id="late-echo")
    assert response.json()["fulfillment"]["result"] == "echo"
    async with hub.worker() as worker:
        await hub.drain(worker)
    wanted = {a["tracking_number"], b["tracking_number"], c["tracking_number"]}
    assert shopline_sets(hub)["ord000001/ful000001"] == wanted
    assert useepay_sets(hub) == {"pi_000001": wanted}


async def test_inbound_off_acknowledges_and_ignores(inbound: InboundHub) -> None:
    await _set_options(inbound, inbound=False)
    response = await inbound.post_signed(_fulfillment("o1", "f1", s10_number(1)), webhook_id="w-off")
    assert response.status_code == 200 and response.json()["result"] == "ignored"
    assert await inbound.shipment_count() == 0


async def test_unknown_store_or_merchant_is_404(inbound: InboundHub) -> None:
    assert (await inbound.client.post("/v1/webhooks/nostore/m_test", content=b"{}")).status_code == 404
    response = await inbound.client.post("/v1/webhooks/shopline/nobody", content=b"{}")
    assert response.status_code == 404


async def test_on_v20250601_the_single_entry_echo_removes_nothing(inbound: InboundHub) -> None:
    inbound.subscribe_in_sandbox()
    hub = inbound.hub
    await _set_options(inbound, api_version="v20250601")
    await hub.upsert([shipment(1, intent=1, order=1), shipment(2, intent=1, order=1)])
    async with hub.worker() as worker:
        await hub.drain(worker)
    [echo] = [m for m in hub.sandboxes.shopline.deliveries if m.topic == "fulfillments/update"]
    assert echo.delivered and len(echo.to_dict()["body"]["tracking_info_list"]) == 1
    before = calls(hub)
    async with hub.worker() as worker:
        assert await worker.run_once() == 0
    assert calls(hub) == before
    assert await inbound.shipment_count() == 2
