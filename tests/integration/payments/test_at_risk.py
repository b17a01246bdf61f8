"""Each at-risk reason raised by a seeded case on a real hub, and cleared when its cause goes away."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, select, update
from tests.integration.sync.sync_harness import MERCHANT, Hub, shipment

from parcelsync.db.base import utcnow
from parcelsync.db.engine import unit_of_work
from parcelsync.db.tables import CheckpointRow, ShipmentRow, SyncReceiptRow, SyncTargetRow, TransitStatRow
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


async def test_a_gateway_target_acknowledged_before_receipts_existed_counts_as_accepted(any_hub: Hub) -> None:
    """Targets synced before migration 0012 have no receipt; the outbox's acked version is the proof then."""
    hub = any_hub
    await hub.upsert([shipment(1, intent=1, ship_date=days_ago(2))])
    await hub.drain(hub.worker())
    async with unit_of_work(hub.sessions) as session:
        await session.execute(delete(SyncReceiptRow))
    assert await reasons(hub) == set()
    async with unit_of_work(hub.sessions) as session:
        await session.execute(update(SyncTargetRow).where(SyncTargetRow.provider == "useepay").values(acked_version=0))
    assert Reason.NOT_ACCEPTED in await reasons(hub)


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


async def transit(hub: Hub, p90_days: int, *, carrier: str = "china-post", country: str = "") -> None:
    """Seed (or move) a lane's statistics: the parcel's latest expected date is ship day + p90."""
    async with unit_of_work(hub.sessions) as session:
        await session.merge(TransitStatRow(merchant_id=MERCHANT, carrier=carrier, destination_country=country,
                                           samples=10, median_days=min(5, p90_days), p90_days=p90_days))


async def scanned_now(hub: Hub) -> None:
    """A fresh scan on every parcel, so only the lateness rule can shortlist them (not the stuck one)."""
    async with unit_of_work(hub.sessions) as session:
        for row in await session.scalars(select(ShipmentRow).where(ShipmentRow.merchant_id == MERCHANT)):
            session.add(CheckpointRow(shipment_id=row.id, time=utcnow(), description="Sorted", location="Hub",
                                      status="in_transit"))


async def late_by_expected_date(hub: Hub, *, p90_days: int, shipped_days_ago: int) -> None:
    await transit(hub, p90_days)
    await hub.upsert([shipment(1, intent=1, status="in_transit", ship_date=days_ago(shipped_days_ago))])
    await hub.drain(hub.worker())
    await scanned_now(hub)
    assert await reasons(hub) == {Reason.LATE}


async def test_late_by_the_expected_date_until_delivered(any_hub: Hub) -> None:
    hub = any_hub
    await late_by_expected_date(hub, p90_days=10, shipped_days_ago=13)  # the 30-day rule would not fire
    async with hub.sessions() as session:
        view = await get_intent(session, MERCHANT, INTENT, hub.clock())
    assert view is not None and view.findings[0].detail.endswith(f"expected by {days_ago(3)}")
    await hub.upsert([shipment(1, intent=1, status="delivered", ship_date=days_ago(13))])
    assert await reasons(hub) == set()


async def test_late_by_the_expected_date_until_the_date_moves_later(any_hub: Hub) -> None:
    hub = any_hub
    await late_by_expected_date(hub, p90_days=10, shipped_days_ago=12)
    await transit(hub, 11)  # expected yesterday: within the one-day grace
    assert await reasons(hub) == set()
    await transit(hub, 60)  # a slow lane outranks the 30-day rule
    await hub.upsert([shipment(1, intent=1, status="in_transit", ship_date=days_ago(40))])
    assert await reasons(hub) == set()


async def late_one_safe_two(hub: Hub, late: dict[str, Any], safe: dict[str, Any]) -> None:
    """Two fresh-scanned parcels in transit: the first (intent 1) late, the second (intent 2) not."""
    await hub.upsert([shipment(1, intent=1, status="in_transit", **late),
                      shipment(2, intent=2, status="in_transit", **safe)])
    await hub.drain(hub.worker())
    await scanned_now(hub)
    assert await reasons(hub) == {Reason.LATE}
    assert await reasons(hub, "pi_000002") == set()


async def test_the_lane_date_before_the_carriers(any_hub: Hub) -> None:
    await transit(any_hub, 20)
    await transit(any_hub, 8, country="US")
    await late_one_safe_two(any_hub, {"ship_date": days_ago(12), "destination_country": "US"},
                            {"ship_date": days_ago(12), "destination_country": "GB"})


async def test_no_expected_date_falls_back_to_days_since_shipping(any_hub: Hub) -> None:
    await transit(any_hub, 5, carrier="ups")
    await late_one_safe_two(any_hub, {"ship_date": days_ago(40)}, {"ship_date": days_ago(13)})


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
