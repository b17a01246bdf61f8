"""PayPal and AfterShip through the worker, on SQLite and PostgreSQL, against their in-process sandboxes.

Full set (every live parcel of a payment), removal (CANCELLED), coalescing (an unchanged tracker is
not sent again), the 20-tracker batch limit, per-item rejection, and a shipment's payment going
only to the gateway it names; AfterShip registration, deletion, webhooks (valid/tampered), polling.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select
from tests.integration.sync.sync_harness import Hub, make_hub, shipment

from parcelsync.db.engine import unit_of_work
from parcelsync.db.queries.merchants import create_merchant
from parcelsync.db.tables import AuditRow, ShipmentRow
from parcelsync.domain.provider import Provider
from parcelsync.ingest.connections import save_connection
from parcelsync.providers.aftership.webhook import sign
from parcelsync.sync.statuses import poll_merchant

pytestmark = pytest.mark.anyio

PP = "m_paypal"
CLIENT_ID, CLIENT_SECRET = "pp-client-0001", "pp-secret-0001"
AS_KEY, AS_SECRET = "asat_sync_key_0001", "whsec-sync-0123456789"
ORDERS = {f"ORD{i:04d}": [f"CAP{i:04d}"] for i in range(1, 6)}


async def connect_second_store(hub: Hub, *, api: str = "orders_v2", webhooks: bool = True,
                               transactions: list[str] | None = None) -> None:
    """A merchant whose payments go through PayPal and whose parcels AfterShip tracks (nothing else)."""
    body = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "orders": ORDERS,
            "transactions": transactions or [], "accept_any_transaction": transactions is None}
    (await hub.http.post(f"{hub.urls.paypal}/_sandbox/apps", json=body)).raise_for_status()
    account = {"api_key": AS_KEY, "webhook_url": None, "webhook_secret": AS_SECRET}
    (await hub.http.post(f"{hub.urls.aftership}/_sandbox/accounts", json=account)).raise_for_status()
    async with unit_of_work(hub.sessions) as session:
        await create_merchant(session, "Second store", PP)
        await save_connection(session, hub.cipher, PP, Provider.PAYPAL, base_url=hub.urls.paypal,
                              credentials={"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET},
                              options={"api": api})
        await save_connection(session, hub.cipher, PP, Provider.AFTERSHIP, base_url=hub.urls.aftership,
                              credentials={"api_key": AS_KEY, "webhook_secret": AS_SECRET},
                              options={"webhooks": webhooks})


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[Hub]:
    hub = await make_hub(database_url)
    try:
        yield hub
    finally:
        await hub.http.aclose()
        await hub.engine.dispose()


def trackers(hub: Hub) -> dict[tuple[str, str], str]:
    """(payment, tracking number) -> status, as the PayPal sandbox holds them."""
    return {
        (t.order_id or t.transaction_id, t.tracking_number): t.status
        for t in hub.sandboxes.paypal.trackers_of(CLIENT_ID)
    }


def writes(hub: Hub) -> list[str]:
    return [f"{r.method} {r.path}" for r in hub.sandboxes.paypal.log.items
            if r.method in ("POST", "PATCH", "PUT") and "oauth2" not in r.path]


async def test_full_set_removal_and_coalescing(world: Hub) -> None:
    await connect_second_store(world)
    await world.upsert([shipment(n, payment_intent_id="ORD0001") for n in (1, 2, 3)], PP)
    await world.drain(world.worker())
    live = await world.live_shipments(PP)
    assert trackers(world) == {("ORD0001", s.tracking_number): "SHIPPED" for s in live}
    assert len(writes(world)) == 3
    world.sandboxes.paypal.log.clear()

    await world.delete(live[0].tracking_number, PP)
    await world.drain(world.worker())
    held = trackers(world)
    assert held[("ORD0001", live[0].tracking_number)] == "CANCELLED"
    assert {held[("ORD0001", s.tracking_number)] for s in live[1:]} == {"SHIPPED"}
    assert len(writes(world)) == 1 and writes(world)[0].startswith("PATCH")  # the two others are not re-sent

    world.sandboxes.paypal.log.clear()
    await world.upsert([shipment(2, payment_intent_id="ORD0001", title="renamed")], PP)
    await world.drain(world.worker())
    assert writes(world) == []  # PayPal stores nothing of a title: no update spent
    assert {t.state for t in await world.targets("paypal")} == {"synced"}
    async with world.sessions() as session:
        audit = (await session.scalars(select(AuditRow).where(AuditRow.provider == "paypal"))).all()
    assert audit and all(a.trace_id for a in audit if a.status == 200)


async def test_batch_api_sends_at_most_20_trackers_a_call(world: Hub) -> None:
    await connect_second_store(world, api="trackers_batch")
    await world.upsert([shipment(n, payment_intent_id=f"TXN{n:04d}") for n in range(1, 26)], PP)
    await world.drain(world.worker())
    batches = [r for r in world.sandboxes.paypal.log.items if r.path.endswith("/trackers-batch")]
    assert len(batches) == 2
    assert all(len(r.body["trackers"]) <= 20 for r in batches)
    assert sum(len(r.body["trackers"]) for r in batches) == 25
    assert len(trackers(world)) == 25 and {t.state for t in await world.targets("paypal")} == {"synced"}


async def test_per_item_rejection_parks_only_that_payment(world: Hub) -> None:
    await connect_second_store(world, api="trackers_batch", transactions=["TXN0001", "TXN0002"])
    await world.upsert([shipment(n, payment_intent_id=f"TXN{n:04d}") for n in (1, 2, 3)], PP)
    await world.drain(world.worker())
    states = {t.target_key: (t.state, t.reason) for t in await world.targets("paypal")}
    assert states["TXN0001"][0] == states["TXN0002"][0] == "synced"
    assert states["TXN0003"][0] in ("parked", "dead") and states["TXN0003"][1]
    assert set(trackers(world)) == {("TXN0001", shipment(1)["tracking_number"]),
                                    ("TXN0002", shipment(2)["tracking_number"])}


async def test_a_payment_goes_only_to_the_gateway_it_names(world: Hub) -> None:
    await connect_second_store(world)
    async with unit_of_work(world.sessions) as session:  # the first store takes PayPal too
        await save_connection(session, world.cipher, "m_test", Provider.PAYPAL, base_url=world.urls.paypal,
                              credentials={"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET})
    await world.upsert([
        shipment(1, payment_intent_id="ORD0002", payment_gateway="paypal"),
        shipment(2, payment_intent_id="pi_000002", payment_gateway="useepay"),
    ])
    by_provider = {(t.provider, t.target_key) for t in await world.targets()}
    assert ("paypal", "ORD0002") in by_provider and ("useepay", "ORD0002") not in by_provider
    assert ("useepay", "pi_000002") in by_provider and ("paypal", "pi_000002") not in by_provider
    await world.upsert([shipment(3, payment_intent_id="ORD0003")], PP)  # names none: the only gateway
    assert ("paypal", "ORD0003") in {(t.provider, t.target_key) for t in await world.targets()}
    async with world.sessions() as session:
        row = await session.scalar(select(ShipmentRow).where(ShipmentRow.payment_intent_id == "ORD0002"))
    assert row is not None and row.payment_gateway == "paypal"


async def test_aftership_registers_and_deletes(world: Hub) -> None:
    await connect_second_store(world)
    await world.upsert([shipment(n) for n in (1, 2)], PP)
    await world.drain(world.worker())
    account = world.sandboxes.aftership.accounts[AS_KEY]
    assert {t.tracking_number for t in account.trackings.values()} == {shipment(n)["tracking_number"] for n in (1, 2)}
    await world.delete(shipment(1)["tracking_number"], PP)
    await world.drain(world.worker())
    assert {t.tracking_number for t in account.trackings.values()} == {shipment(2)["tracking_number"]}
    assert {t.state for t in await world.targets("aftership")} == {"synced"}


async def test_aftership_webhook_route_valid_and_tampered(world: Hub) -> None:
    from parcelsync.api.app import create_app

    await connect_second_store(world)
    await world.upsert([shipment(1)], PP)
    await world.drain(world.worker())
    number = shipment(1)["tracking_number"]
    tracking = next(iter(world.sandboxes.aftership.accounts[AS_KEY].trackings.values())).to_api()
    tracking.update({"tag": "Delivered", "subtag": "Delivered_001"})
    body = json.dumps({"event_id": "evt-1", "event": "tracking_update", "ts": 1760000000, "msg": tracking}).encode()
    app = create_app(world.settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub") as api:
        bad = await api.post(f"/v1/webhooks/aftership/{PP}", content=body,
                             headers={"aftership-hmac-sha256": sign(body + b" ", AS_SECRET)})
        assert bad.status_code == 401
        good = await api.post(f"/v1/webhooks/aftership/{PP}", content=body,
                              headers={"aftership-hmac-sha256": sign(body, AS_SECRET)})
        assert good.status_code == 200 and good.json()["status_changed"] is True
        again = await api.post(f"/v1/webhooks/aftership/{PP}", content=body,
                               headers={"aftership-hmac-sha256": sign(body, AS_SECRET)})
        assert again.json().get("duplicate") is True
    async with world.sessions() as session:
        row = await session.scalar(select(ShipmentRow).where(ShipmentRow.tracking_number == number,
                                                             ShipmentRow.merchant_id == PP))
    assert row is not None and row.status == "delivered"


async def test_aftership_polling(world: Hub) -> None:
    from parcelsync.connectors.registry import build_client
    from parcelsync.db.queries.connections import load_connection

    await connect_second_store(world, webhooks=False)
    await world.upsert([shipment(1)], PP)
    await world.drain(world.worker())
    (await world.http.post(f"{world.urls.aftership}/_sandbox/clock/advance", json={"seconds": 30 * 86400})
     ).raise_for_status()
    async with world.sessions() as session:
        connection = await load_connection(session, world.cipher, PP, Provider.AFTERSHIP)
    assert connection is not None
    client = build_client(connection, world.http)
    applied = await poll_merchant(world.sessions, client, PP, now=world.clock(), provider=Provider.AFTERSHIP)
    assert applied == 1
    async with world.sessions() as session:
        row = await session.scalar(select(ShipmentRow).where(ShipmentRow.merchant_id == PP))
    assert row is not None and row.status != "pending"
