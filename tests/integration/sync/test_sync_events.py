"""Events the sync worker and the status intake record, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from tests.integration.sync.sync_harness import Hub, shipment

from parcelsync.db.engine import unit_of_work
from parcelsync.db.tables import EventRow
from parcelsync.domain.status import DeliveryStatus
from parcelsync.providers.trackingmore.mapping import TrackingUpdate
from parcelsync.sandbox.faults import FaultConfig
from parcelsync.sync import outbox
from parcelsync.sync.statuses import apply_update

pytestmark = pytest.mark.anyio


async def events(hub: Hub) -> list[EventRow]:
    async with hub.sessions() as session:
        return list((await session.scalars(select(EventRow).order_by(EventRow.id))).all())


async def test_parked_target_records_sync_failed_then_recovered_after_the_fix(any_hub: Hub) -> None:
    hub = any_hub
    hub.sandboxes.useepay.add_merchant(
        hub.accounts.merchant_no, hub.accounts.app_id, hub.accounts.useepay_api_key,
        [f"pi_{i:06d}" for i in range(3) if i != 1],
    )
    await hub.upsert([shipment(i, intent=i) for i in range(3)])
    await hub.drain(hub.worker())
    failed = [e for e in await events(hub) if e.type == "sync.failed"]
    assert len(failed) == 1
    assert failed[0].data["state"] == "parked" and failed[0].data["target_key"] == "pi_000001"
    assert "No such payment_intent" in failed[0].data["reason"]
    assert not [e for e in await events(hub) if e.type == "sync.recovered"]

    hub.sandboxes.useepay.add_payment_intents(hub.accounts.merchant_no, ["pi_000001"])
    async with unit_of_work(hub.sessions) as session:
        await outbox.replay(session, now=hub.clock())
    await hub.drain(hub.worker())
    recovered = [e for e in await events(hub) if e.type == "sync.recovered"]
    assert [e.subject for e in recovered] == [failed[0].subject]
    await hub.drain(hub.worker())  # synced again later: no second recovery
    assert len([e for e in await events(hub) if e.type == "sync.recovered"]) == 1


async def test_rate_limit_pauses_once_and_resumes_once(any_hub: Hub) -> None:
    hub = any_hub
    await hub.upsert([shipment(i, intent=i) for i in range(30)])
    hub.sandboxes.useepay.faults.configure(FaultConfig(rate_limit_burst=1, retry_after=120))
    worker = hub.worker(concurrency=1)
    await worker.run_once()
    hub.clock.advance(121)
    await worker.run_once()
    kinds = [(e.type, e.data["provider"]) for e in await events(hub) if e.type.startswith("connection.")]
    assert kinds == [("connection.paused", "useepay"), ("connection.resumed", "useepay")]


async def test_status_update_records_status_changed_with_from_to_and_time(any_hub: Hub) -> None:
    hub = any_hub
    await hub.upsert([shipment(1)])
    (row,) = await hub.live_shipments()
    at = hub.clock() - timedelta(hours=2)
    from parcelsync.connectors.carriers import default_registry

    async with unit_of_work(hub.sessions) as session:
        for status in (DeliveryStatus.IN_TRANSIT, DeliveryStatus.EXCEPTION, DeliveryStatus.EXCEPTION):
            update = TrackingUpdate(row.tracking_number, "china-post", status, None, None, last_update_time=at)
            await apply_update(session, "m_test", update, registry=default_registry(), source="webhook", now=at)
    found = [(e.type, e.data.get("from"), e.data.get("to")) for e in await events(hub) if e.shipment_id == row.id]
    assert found == [
        ("shipment.created", None, None),
        ("shipment.status_changed", "pending", "in_transit"),
        ("shipment.status_changed", "in_transit", "exception"),
        ("shipment.exception", "in_transit", "exception"),
    ]
    changed = next(e for e in await events(hub) if e.type == "shipment.status_changed")
    assert changed.data["at"] == at.isoformat() and changed.data["source"] == "webhook"
