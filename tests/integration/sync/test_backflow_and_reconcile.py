"""TrackingMore updates after registration, polling instead of webhooks, reconciliation, metrics, embedded worker."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select, update
from tests.integration.sync.sync_harness import MERCHANT, Hub, shipment, trackingmore_numbers, useepay_sets

from parcelsync.api import create_app
from parcelsync.db.base import utcnow
from parcelsync.db.engine import unit_of_work
from parcelsync.db.tables import AuditRow, CheckpointRow, ConnectionRow, StatusEventRow
from parcelsync.domain.provider import Provider
from parcelsync.metrics import OUTBOX_DEPTH, OUTBOX_STATE, refresh_outbox_gauges
from parcelsync.sandbox.server import create_app as create_sandbox_app
from parcelsync.sync.clients import ClientCache
from parcelsync.sync.embedded import attach_worker
from parcelsync.sync.reconcile import reconcile_merchant

pytestmark = pytest.mark.anyio


def tm_account(hub: Hub):  # type: ignore[no-untyped-def]
    return hub.sandboxes.trackingmore.accounts[hub.accounts.trackingmore_api_key]


async def test_a_changed_parcel_is_updated_at_trackingmore_not_registered_again(hub: Hub) -> None:
    await hub.upsert([shipment(1, intent=1, title="Linen shirt")])
    worker = hub.worker()
    await hub.drain(worker)
    await hub.upsert([shipment(1, intent=1, title="Silk scarf", customer_name="Mia Dubois")])
    await hub.drain(worker)
    (record,) = tm_account(hub).trackings.values()
    assert record.fields["title"] == "Silk scarf" and record.fields["customer_name"] == "Mia Dubois"
    methods = [r.method for r in hub.sandboxes.trackingmore.log.items]
    assert methods == ["POST", "PUT"]


async def test_a_tracking_removed_at_trackingmore_is_registered_again_after_an_edit(hub: Hub) -> None:
    await hub.upsert([shipment(1, intent=1)])
    worker = hub.worker()
    await hub.drain(worker)
    tm_account(hub).trackings.clear()
    await hub.upsert([shipment(1, intent=1, title="changed")])
    await hub.drain(worker)
    assert trackingmore_numbers(hub) == {s.tracking_number for s in await hub.live_shipments()}
    assert [r.method for r in hub.sandboxes.trackingmore.log.items] == ["POST", "PUT", "POST"]  # 4017 → register


async def test_two_workers_polling_at_once_poll_a_connection_once(hub: Hub) -> None:
    async with unit_of_work(hub.sessions) as session:
        await session.execute(
            update(ConnectionRow).where(ConnectionRow.provider == "trackingmore").values(options={"webhooks": False})
        )
    await hub.upsert([shipment(i, intent=i) for i in range(3)])
    first, second = hub.worker(), hub.worker()
    await hub.drain(first)
    hub.sandboxes.trackingmore.advance(5 * 86400)
    await asyncio.gather(first.poll_once(), second.poll_once())
    lists = [r for r in hub.sandboxes.trackingmore.log.items if r.path.endswith("/trackings/get")]
    assert len(lists) == 1


async def test_polling_brings_statuses_back_when_webhooks_are_off(hub: Hub) -> None:
    async with unit_of_work(hub.sessions) as session:
        await session.execute(
            update(ConnectionRow).where(ConnectionRow.provider == "trackingmore").values(options={"webhooks": False})
        )
    await hub.upsert([shipment(i, intent=i) for i in range(5)])
    worker = hub.worker()
    await hub.drain(worker)
    hub.sandboxes.trackingmore.advance(10 * 86400)
    assert await worker.poll_once() == 5
    statuses = {s.status for s in await hub.live_shipments()}
    assert statuses and statuses != {"pending"}
    async with hub.sessions() as session:
        checkpoints = await session.scalar(select(func.count()).select_from(CheckpointRow))
        events = await session.scalar(select(func.count()).select_from(StatusEventRow))
        cursor = await session.scalar(select(ConnectionRow.poll_cursor).where(ConnectionRow.provider == "trackingmore"))
    assert checkpoints and cursor is not None
    lists = [r for r in hub.sandboxes.trackingmore.log.items if r.path.endswith("/trackings/get")]
    assert "update_time_min" not in lists[0].query

    assert await worker.poll_once() == 0  # not due again until the poll interval has passed
    hub.clock.advance(hub.settings.poll_interval_s)
    await worker.poll_once()  # nothing new: the overlap is re-read harmlessly
    lists = [r for r in hub.sandboxes.trackingmore.log.items if r.path.endswith("/trackings/get")]
    assert "update_time_min=" in lists[-1].query
    async with hub.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(CheckpointRow)) == checkpoints
        assert await session.scalar(select(func.count()).select_from(StatusEventRow)) == events


async def test_reconcile_reports_drift_and_fix_repairs_it(hub: Hub) -> None:
    await hub.upsert([shipment(i, intent=i % 3, order=i) for i in range(9)])
    worker = hub.worker()
    await hub.drain(worker)
    clients = ClientCache(hub.http)
    seen: dict[str, int] = {}

    def progress(provider: str, n: int) -> None:
        seen[provider] = seen.get(provider, 0) + n

    clean = await reconcile_merchant(hub.sessions, hub.cipher, clients, MERCHANT, progress=progress)
    assert clean.drift == [] and clean.errors == []
    assert clean.checked == {"useepay": 3, "trackingmore": 9} and clean.unverifiable == {"shopline": 9}
    assert seen == {"useepay": 3, "trackingmore": 9}  # one tick per tracker read and per tracking listed

    lost = next(iter(tm_account(hub).trackings))
    del tm_account(hub).trackings[lost]
    del hub.sandboxes.useepay.trackers[(hub.accounts.merchant_no, "pi_000001")]
    report = await reconcile_merchant(hub.sessions, hub.cipher, clients, MERCHANT, fix=True)
    assert sorted((d.provider, d.kind) for d in report.drift) == [("trackingmore", "missing"), ("useepay", "missing")]
    assert report.fixed == 2
    await hub.drain(worker)
    after = await reconcile_merchant(hub.sessions, hub.cipher, clients, MERCHANT)
    assert after.drift == []
    assert len(useepay_sets(hub)) == 3


async def test_outbox_gauges_follow_the_queue(hub: Hub) -> None:
    await hub.upsert([shipment(i, intent=i) for i in range(4)])
    async with hub.sessions() as session:
        await refresh_outbox_gauges(session, hub.clock())
    assert OUTBOX_DEPTH.labels("useepay")._value.get() == 4
    await hub.drain(hub.worker())
    async with hub.sessions() as session:
        await refresh_outbox_gauges(session, hub.clock())
    assert OUTBOX_DEPTH.labels("trackingmore")._value.get() == 0
    assert OUTBOX_STATE.labels("trackingmore", "synced")._value.get() == 4


async def test_serve_with_worker_syncs_in_the_api_process(hub: Hub) -> None:
    api = create_app(hub.settings.model_copy(update={"worker_poll_interval_s": 0.05, "auto_migrate": False}))
    attach_worker(api, concurrency=2, transport=httpx.ASGITransport(app=create_sandbox_app(hub.sandboxes)))
    await hub.upsert([shipment(i, intent=i) for i in range(3)])
    expired = utcnow() - timedelta(days=hub.settings.audit_retention_days + 1)
    async with unit_of_work(hub.sessions) as session:
        session.add(AuditRow(at=expired, merchant_id="old", provider="useepay", method="POST", path="/old"))
    async with api.router.lifespan_context(api):
        for _ in range(400):
            if {t.state for t in await hub.targets()} == {"synced"}:
                break
            await asyncio.sleep(0.05)
    assert {t.state for t in await hub.targets()} == {"synced"}
    async with unit_of_work(hub.sessions) as session:  # the embedded worker's housekeeping pruned the audit log
        assert (await session.scalars(select(AuditRow).where(AuditRow.merchant_id == "old"))).all() == []
    assert api.state.worker.batches >= 2
    assert Provider.USEEPAY.value in {t.provider for t in await hub.targets()}


async def test_already_registered_elsewhere_counts_as_success_and_is_brought_up_to_date(hub: Hub) -> None:
    await hub.upsert([shipment(1, intent=1, title="New title")])
    (row,) = await hub.live_shipments()
    registered = await hub.http.post(
        "/trackingmore/v2/trackings/post",
        headers={"Trackingmore-Api-Key": hub.accounts.trackingmore_api_key},
        json={"tracking_number": row.tracking_number, "carrier_code": "china-post", "title": "Old title"},
    )
    assert registered.json()["meta"]["code"] == 201
    await hub.drain(hub.worker())
    (record,) = tm_account(hub).trackings.values()
    assert record.fields["title"] == "New title"
    assert [r.method for r in hub.sandboxes.trackingmore.log.items] == ["POST", "POST", "PUT"]  # 4016, then PUT
    assert {t.state for t in await hub.targets("trackingmore")} == {"synced"}


async def test_one_rejected_intent_is_parked_and_never_fails_its_neighbours(hub: Hub) -> None:
    hub.sandboxes.useepay.add_merchant(
        hub.accounts.merchant_no, hub.accounts.app_id, hub.accounts.useepay_api_key,
        [f"pi_{i:06d}" for i in range(20) if i != 7],
    )
    await hub.upsert([shipment(i, intent=i) for i in range(20)])
    await hub.drain(hub.worker())
    targets = {t.target_key: t for t in await hub.targets("useepay")}
    assert targets["pi_000007"].state == "parked"
    assert "No such payment_intent" in (targets["pi_000007"].reason or "")
    assert {t.state for k, t in targets.items() if k != "pi_000007"} == {"synced"}
    assert len([r for r in hub.sandboxes.useepay.log.items if r.method == "POST"]) == 1


async def test_bad_credentials_pause_the_connection_with_the_reason(hub: Hub) -> None:
    from parcelsync.ingest.connections import save_connection

    async with unit_of_work(hub.sessions) as session:
        await save_connection(
            session, hub.cipher, MERCHANT, Provider.TRACKINGMORE, credentials={"api_key": "revoked-key"}, merge=True
        )
    await hub.upsert([shipment(i, intent=i) for i in range(3)])
    await hub.worker().run_once()
    async with hub.sessions() as session:
        tm = await session.scalar(select(ConnectionRow).where(ConnectionRow.provider == "trackingmore"))
    assert tm is not None and tm.paused_until is not None
    assert (tm.pause_reason or "").startswith("connection blocked")
    assert "revoked-key" not in (tm.pause_reason or "")
    pending = await hub.targets("trackingmore")
    assert {t.state for t in pending} == {"pending"} and {t.attempts for t in pending} == {0}
    assert {t.state for t in await hub.targets("useepay")} == {"synced"}  # other connections carry on
