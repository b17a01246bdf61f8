"""The worker against the in-process sandboxes: full sets, batching, edits, deletions, coalescing."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from tests.integration.sync.sync_harness import (
    MERCHANT,
    Hub,
    shipment,
    shopline_sets,
    trackingmore_numbers,
    useepay_sets,
)

from parcelsync.db.tables import AuditRow

pytestmark = pytest.mark.anyio


async def test_each_destination_gets_the_full_set_and_deletions(hub: Hub) -> None:
    await hub.upsert([shipment(1, intent=1, order=1), shipment(2, intent=2)])
    worker = hub.worker()
    await hub.drain(worker)
    first = {s.tracking_number for s in await hub.live_shipments()}
    n1, n2 = sorted(first)
    assert useepay_sets(hub) == {"pi_000001": {n1}, "pi_000002": {n2}}
    assert shopline_sets(hub) == {"ord000001/ful000001": {n1}}
    assert trackingmore_numbers(hub) == {n1, n2}

    await hub.upsert([shipment(3, intent=1, order=1)])
    await hub.drain(worker)
    n3 = next(s.tracking_number for s in await hub.live_shipments() if s.tracking_number not in first)
    assert useepay_sets(hub)["pi_000001"] == {n1, n3}
    assert shopline_sets(hub)["ord000001/ful000001"] == {n1, n3}

    await hub.delete(n1)
    await hub.drain(worker)
    assert useepay_sets(hub)["pi_000001"] == {n3}
    assert shopline_sets(hub)["ord000001/ful000001"] == {n3}
    assert trackingmore_numbers(hub) == {n2, n3}
    targets = await hub.targets()
    assert {t.state for t in targets} == {"synced"}
    assert all(t.acked_version == t.desired_version for t in targets)


async def test_last_parcel_of_an_intent_deleted_is_parked_with_a_reason(hub: Hub) -> None:
    await hub.upsert([shipment(1, intent=1, order=1)])
    worker = hub.worker()
    await hub.drain(worker)
    await hub.delete((await hub.live_shipments())[0].tracking_number)
    await hub.drain(worker)
    by_provider = {t.provider: t for t in await hub.targets()}
    assert by_provider["useepay"].state == "parked"
    assert "no parcels left" in (by_provider["useepay"].reason or "")
    assert shopline_sets(hub)["ord000001/ful000001"] == set()
    assert by_provider["shopline"].state == "synced"
    assert trackingmore_numbers(hub) == set()


async def test_batches_respect_provider_limits_and_audit_every_call(hub: Hub) -> None:
    await hub.upsert([shipment(i, intent=i // 2, order=i // 2) for i in range(100)])
    worker = hub.worker()
    await hub.drain(worker)
    useepay_calls = [r for r in hub.sandboxes.useepay.log.items if r.method == "POST"]
    assert len(useepay_calls) == 3  # 50 intents / 20
    assert all(len(r.body["trackers"]) <= 20 for r in useepay_calls)
    tm_calls = [r for r in hub.sandboxes.trackingmore.log.items if r.path.endswith("/trackings/batch")]
    assert len(tm_calls) == 3  # 100 numbers / 40
    shopline_calls = [r for r in hub.sandboxes.shopline.log.items if r.method == "POST"]
    assert len(shopline_calls) == 50
    async with hub.sessions() as session:
        audit = list((await session.scalars(select(AuditRow))).all())
    assert len(audit) == 3 + 3 + 50
    assert {a.merchant_id for a in audit} == {MERCHANT}
    for row in audit:
        dumped = repr((row.request_summary, row.response_summary, row.error))
        assert hub.accounts.useepay_api_key not in dumped
        assert hub.accounts.shopline_token not in dumped
        assert hub.accounts.trackingmore_api_key not in dumped


async def test_edits_coalesce_into_one_call(hub: Hub) -> None:
    await hub.upsert([shipment(1, intent=1)])
    for title in ("a", "b", "c"):
        await hub.upsert([shipment(1, intent=1, title=title)])
    worker = hub.worker()
    await hub.drain(worker)
    assert len([r for r in hub.sandboxes.useepay.log.items if r.method == "POST"]) == 1
    assert len(hub.sandboxes.trackingmore.log.items) == 1
