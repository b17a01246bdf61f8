"""A shipment whose payment names no gateway: the merchant's default gateway (the only one connected, or the
chosen one), else skipped with "payment gateway not chosen"; on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from tests.integration.sync.sync_harness import MERCHANT, Hub, shipment, useepay_sets
from tests.integration.sync.test_paypal_aftership_sync import CLIENT_ID, CLIENT_SECRET, trackers, world  # noqa: F401

from parcelsync.db.engine import unit_of_work
from parcelsync.db.queries.shipments import get_shipment
from parcelsync.domain.provider import Provider
from parcelsync.ingest.connections import save_connection
from parcelsync.payments.policy_store import save_default_gateway
from parcelsync.sync.destinations import read_destinations

pytestmark = pytest.mark.anyio
GATEWAYS = ("useepay", "paypal")


async def add_paypal(hub: Hub) -> None:
    """The first store (UseePay) takes PayPal too."""
    body = {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "orders": {"ORD0001": ["CAP0001"]},
            "transactions": [], "accept_any_transaction": True}
    (await hub.http.post(f"{hub.urls.paypal}/_sandbox/apps", json=body)).raise_for_status()
    async with unit_of_work(hub.sessions) as session:
        await save_connection(session, hub.cipher, MERCHANT, Provider.PAYPAL, base_url=hub.urls.paypal,
                              credentials={"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET})


async def gateway_state(hub: Hub, sid: int) -> dict[str, tuple[str, str | None]]:
    async with hub.sessions() as session:
        row = await get_shipment(session, MERCHANT, sid)
        assert row is not None
        found = await read_destinations(session, row)
    return {d.provider.value: (d.state, d.reason) for d in found if d.provider.value in GATEWAYS}


async def gateway_targets(hub: Hub) -> set[tuple[str, str]]:
    return {(t.provider, t.target_key) for t in await hub.targets() if t.provider in GATEWAYS}


async def test_the_only_gateway_takes_a_payment_naming_none_as_before(world: Hub) -> None:  # noqa: F811
    (created,) = await world.upsert([shipment(1, intent=1)])
    await world.drain(world.worker())
    assert await gateway_targets(world) == {("useepay", "pi_000001")}
    assert useepay_sets(world) == {"pi_000001": {shipment(1)["tracking_number"]}}
    assert (await gateway_state(world, created.id))["useepay"] == ("synced", None)


async def test_several_gateways_and_none_chosen_parks_with_a_reason_until_one_is_chosen(world: Hub) -> None:  # noqa: F811
    await add_paypal(world)
    (unnamed,) = await world.upsert([shipment(1, intent=1)])
    await world.upsert([shipment(2, intent=2, payment_gateway="useepay")])
    assert await gateway_targets(world) == {("useepay", "pi_000002")}  # the named one still goes
    assert await gateway_state(world, unnamed.id) == {
        "useepay": ("skipped", "payment gateway not chosen"),
        "paypal": ("skipped", "payment gateway not chosen"),
    }
    async with unit_of_work(world.sessions) as session:
        assert await save_default_gateway(session, MERCHANT, "useepay") == 1  # the waiting payment is planned
    await world.drain(world.worker())
    assert await gateway_targets(world) == {("useepay", "pi_000001"), ("useepay", "pi_000002")}
    assert set(useepay_sets(world)) == {"pi_000001", "pi_000002"}
    assert trackers(world) == {}
    state = await gateway_state(world, unnamed.id)
    assert state["useepay"] == ("synced", None)
    assert state["paypal"] == ("skipped", "payment_gateway defaults to another: useepay")


async def test_the_chosen_default_takes_new_payments_naming_none(world: Hub) -> None:  # noqa: F811
    await add_paypal(world)
    async with unit_of_work(world.sessions) as session:
        assert await save_default_gateway(session, MERCHANT, "paypal") == 0
    await world.upsert([shipment(1, payment_intent_id="ORD0001")])
    await world.drain(world.worker())
    assert await gateway_targets(world) == {("paypal", "ORD0001")}
    assert trackers(world) == {("ORD0001", shipment(1)["tracking_number"]): "SHIPPED"}
    assert useepay_sets(world) == {}
