"""Each at-risk reason raised by a seeded case on a real hub, and cleared when its cause goes away."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from tests.integration.sync.sync_harness import MERCHANT, Hub, shipment

from parcelsync.db.base import utcnow
from parcelsync.db.engine import unit_of_work
from parcelsync.db.tables import CheckpointRow, ShipmentRow
from parcelsync.domain.provider import Provider
from parcelsync.payments.policy_store import save_policy
from parcelsync.payments.risk import Reason, RiskPolicy
from parcelsync.payments.service import IntentFilter, get_intent, list_intents
from parcelsync.sync.clients import ClientCache
from parcelsync.sync.outbox import replay
from parcelsync.sync.reconcile import reconcile_merchant

pytestmark = pytest.mark.anyio
INTENT = "pi_000001"


async def reasons(hub: Hub, intent: str = INTENT) -> set[str]:
    async with hub.sessions() as session:
        view = await get_intent(session, MERCHANT, intent, hub.clock())
        every = await list_intents(session, MERCHANT, IntentFilter(), hub.clock())
        risky = await list_intents(session, MERCHANT, IntentFilter(at_risk=True), hub.clock())
    assert view is not None
    # the SQL candidates (payments/candidates.py) miss no intent that the full assessment finds at risk
    assert [v.id for v in risky] == [v.id for v in every if v.at_risk]
    return set(view.reasons)


def days_ago(n: int) -> str:
    return (date.today() - timedelta(days=n)).isoformat()


async def test_not_accepted_in_time_until_the_gateway_accepts(any_hub: Hub) -> None:
    hub = any_hub
    await hub.upsert([shipment(1, intent=1, ship_date=days_ago(2))])
    assert Reason.NOT_ACCEPTED in await reasons(hub)
    async with unit_of_work(hub.sessions) as session:
        await save_policy(session, MERCHANT, RiskPolicy(accept_within_hours=24 * 5))
    assert Reason.NOT_ACCEPTED not in await reasons(hub)
    async with unit_of_work(hub.sessions) as session:
        await save_policy(session, MERCHANT, RiskPolicy())
    await hub.drain(hub.worker())
    assert await reasons(hub) == set()


async def test_rejected_by_the_gateway_until_a_retry_succeeds(any_hub: Hub) -> None:
    hub = any_hub
    hub.sandboxes.useepay.add_merchant(
        hub.accounts.merchant_no, hub.accounts.app_id, hub.accounts.useepay_api_key, ["pi_000002"]
    )
    await hub.upsert([shipment(1, intent=1), shipment(2, intent=2)])
    await hub.drain(hub.worker())
    assert Reason.REJECTED in await reasons(hub)
    async with hub.sessions() as session:
        view = await get_intent(session, MERCHANT, INTENT, hub.clock())
    assert view is not None and view.state == "rejected"
    assert "No such payment_intent" in next(f.detail for f in view.findings if f.reason is Reason.REJECTED)
    hub.sandboxes.useepay.add_payment_intents(hub.accounts.merchant_no, [INTENT])
    async with unit_of_work(hub.sessions) as session:
        await replay(session, now=hub.clock(), merchant_id=MERCHANT, provider=Provider.USEEPAY)
    await hub.drain(hub.worker())
    assert await reasons(hub) == set()


async def test_gateway_set_differs_after_reconcile_until_fixed(any_hub: Hub) -> None:
    hub = any_hub
    await hub.upsert([shipment(1, intent=1), shipment(2, intent=1)])
    await hub.drain(hub.worker())
    hub.sandboxes.useepay.upsert_tracker(
        hub.accounts.merchant_no, INTENT, [{"carrier": "others", "tracking_number": "ZZ1", "tracking_url": ""}]
    )
    clients = ClientCache(hub.http)
    await reconcile_merchant(hub.sessions, hub.cipher, clients, MERCHANT, providers=[Provider.USEEPAY])
    assert await reasons(hub) == {Reason.SET_DIFFERS}
    hub.clock.advance(1)
    await reconcile_merchant(hub.sessions, hub.cipher, clients, MERCHANT, providers=[Provider.USEEPAY], fix=True)
    await hub.drain(hub.worker())
    assert await reasons(hub) == set()
    await reconcile_merchant(hub.sessions, hub.cipher, clients, MERCHANT, providers=[Provider.USEEPAY])
    assert await reasons(hub) == set()


@pytest.mark.parametrize(("status", "reason"), [("exception", Reason.EXCEPTION), ("failed_attempt",
                                                                                   Reason.FAILED_ATTEMPT)])
async def test_a_parcel_in_trouble_until_it_moves_again(any_hub: Hub, status: str, reason: Reason) -> None:
    hub = any_hub
    await hub.upsert([shipment(1, intent=1), shipment(2, intent=1, status=status)])
    await hub.drain(hub.worker())
    assert await reasons(hub) == {reason}
    await hub.upsert([shipment(2, intent=1, status="out_for_delivery")])
    assert await reasons(hub) == set()


async def test_stuck_without_a_scan_until_a_new_scan(any_hub: Hub) -> None:
    hub = any_hub
    await hub.upsert([shipment(1, intent=1, status="in_transit", ship_date=days_ago(10))])
    await hub.drain(hub.worker())
    async with unit_of_work(hub.sessions) as session:
        row = await session.scalar(select(ShipmentRow).where(ShipmentRow.merchant_id == MERCHANT))
        assert row is not None
        session.add(CheckpointRow(shipment_id=row.id, time=utcnow() - timedelta(days=9), description="Departed",
                                  location="Shenzhen", status="in_transit"))
    assert await reasons(hub) == {Reason.STUCK}
    async with unit_of_work(hub.sessions) as session:
        session.add(CheckpointRow(shipment_id=row.id, time=utcnow(), description="Arrived", location="Paris",
                                  status="in_transit"))
    assert await reasons(hub) == set()


async def test_late_until_delivered(any_hub: Hub) -> None:
    hub = any_hub
    await hub.upsert([shipment(1, intent=1, status="in_transit", ship_date=days_ago(40))])
    await hub.drain(hub.worker())
    assert await reasons(hub) == {Reason.LATE}
    await hub.upsert([shipment(1, intent=1, status="delivered", ship_date=days_ago(40))])
    assert await reasons(hub) == set()


async def test_filters_and_oldest_first(any_hub: Hub) -> None:
    hub = any_hub
    hub.sandboxes.useepay.add_merchant(
        hub.accounts.merchant_no, hub.accounts.app_id, hub.accounts.useepay_api_key, ["pi_000002", "pi_000003"]
    )
    await hub.upsert([
        shipment(1, intent=1, ship_date=days_ago(3)),
        shipment(2, intent=2, ship_date=days_ago(5), status="exception"),
        shipment(3, intent=3, ship_date=days_ago(1)),
    ])
    await hub.drain(hub.worker())
    async with hub.sessions() as session:
        risky = await list_intents(session, MERCHANT, IntentFilter(at_risk=True), hub.clock())
        rejected = await list_intents(session, MERCHANT, IntentFilter(state="rejected"), hub.clock())
        old = await list_intents(session, MERCHANT, IntentFilter(min_age_hours=24 * 4), hub.clock())
        safe = await list_intents(session, MERCHANT, IntentFilter(at_risk=False), hub.clock())
        other = await list_intents(session, MERCHANT, IntentFilter(gateway="nope"), hub.clock())
    assert [v.id for v in risky] == ["pi_000002", "pi_000001"]
    assert [v.id for v in rejected] == ["pi_000001"]
    assert [v.id for v in old] == ["pi_000002"]
    assert [v.id for v in safe] == ["pi_000003"]
    assert other == []
