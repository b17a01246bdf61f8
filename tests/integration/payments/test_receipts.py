"""Sync receipts: one per acknowledged version, written with the ack, kept past `audit prune`."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from tests.integration.sync.sync_harness import MERCHANT, Hub, shipment

from parcelsync.db.tables import AuditRow, SyncReceiptRow
from parcelsync.security.retention import housekeeping

pytestmark = pytest.mark.anyio


async def receipts(hub: Hub) -> list[SyncReceiptRow]:
    async with hub.sessions() as session:
        return list((await session.scalars(select(SyncReceiptRow).order_by(SyncReceiptRow.id))).all())


async def test_every_acknowledged_version_leaves_one_receipt_with_what_was_sent(any_hub: Hub) -> None:
    hub = any_hub
    await hub.upsert([
        shipment(1, intent=1, order=1, tracking_url="https://t.example/1"),
        shipment(2, intent=1, order=1),
    ])
    await hub.drain(hub.worker())
    rows = await receipts(hub)
    by_provider = {r.provider: [x for x in rows if x.provider == r.provider] for r in rows}
    assert set(by_provider) == {"useepay", "shopline", "trackingmore"}
    (gateway,) = by_provider["useepay"]
    assert gateway.merchant_id == MERCHANT and gateway.target_key == "pi_000001" and gateway.version >= 1
    sent = {p["tracking_number"]: p for p in gateway.parcels}
    assert set(sent) == {shipment(1)["tracking_number"], shipment(2)["tracking_number"]}
    assert sent[shipment(1)["tracking_number"]]["tracking_url"] == "https://t.example/1"
    assert {p["carrier"] for p in gateway.parcels} == {"china-post"}
    (store,) = by_provider["shopline"]
    assert store.request_id  # the store's traceId
    assert len(by_provider["trackingmore"]) == 2
    # An edit acknowledged again is a new version and a new receipt; nothing changed is nothing new.
    await hub.upsert([shipment(2, intent=1, order=1, title="Mug")])
    await hub.drain(hub.worker())
    after = [r for r in await receipts(hub) if r.provider == "useepay"]
    assert [r.version for r in after] == [gateway.version, gateway.version + 1]


async def test_a_rejected_upload_leaves_no_receipt(any_hub: Hub) -> None:
    hub = any_hub
    hub.sandboxes.useepay.add_merchant(
        hub.accounts.merchant_no, hub.accounts.app_id, hub.accounts.useepay_api_key, ["pi_000001"]
    )
    await hub.upsert([shipment(1, intent=1), shipment(2, intent=2)])
    await hub.drain(hub.worker())
    assert {r.target_key for r in await receipts(hub) if r.provider == "useepay"} == {"pi_000001"}


async def test_receipts_survive_audit_prune_and_go_after_their_own_retention(any_hub: Hub) -> None:
    hub = any_hub
    await hub.upsert([shipment(1, intent=1, order=1)])
    await hub.drain(hub.worker())
    count = len(await receipts(hub))
    assert count == 3
    later = hub.clock() + timedelta(days=400)
    report = await housekeeping(hub.sessions, audit_retention_days=0, now=later)
    assert report.audit_rows > 0 and report.receipts == 0
    async with hub.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(AuditRow)) == 0
    assert len(await receipts(hub)) == count
    report = await housekeeping(hub.sessions, audit_retention_days=0, now=hub.clock() + timedelta(days=731))
    assert report.receipts == count and await receipts(hub) == []
