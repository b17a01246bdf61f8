"""End to end through the public API: ingest → worker → sandboxes → webhooks back → API shows it all."""

from __future__ import annotations

import itertools
import json
import math
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import func, select
from tests.acceptance.stack import MERCHANT, Stack, running_stack
from tests.integration.sync.sync_harness import shopline_sets, trackingmore_numbers, useepay_sets

from parcelsync.db.tables import CheckpointRow, StatusEventRow, WebhookDeliveryRow
from parcelsync.ingest.demo import s10_number
from parcelsync.providers.trackingmore.webhook import sign

pytestmark = pytest.mark.anyio
M = {"X-Merchant-Id": MERCHANT}


@pytest.fixture
async def stack(sqlite_database_url: str) -> AsyncIterator[Stack]:
    async with running_stack(sqlite_database_url) as s:
        yield s


def item(n: int, *, intent: int | None, order: int | None) -> dict[str, Any]:
    out: dict[str, Any] = {"tracking_number": s10_number(n), "carrier": "china-post"}
    if intent is not None:
        out["payment_intent_id"] = f"pi_{intent:05d}"
    if order is not None:
        out["order_id"] = f"{order:06d}"
        out["fulfillment_id"] = f"f{order:06d}"
    return out


def hub_state(shipments: list[dict[str, Any]]) -> tuple[dict[str, set[str]], dict[str, set[str]], set[str]]:
    intents: dict[str, set[str]] = {}
    fulfillments: dict[str, set[str]] = {}
    for s in shipments:
        if s["payment_intent_id"]:
            intents.setdefault(s["payment_intent_id"], set()).add(s["tracking_number"])
        if s["order_id"] and s["fulfillment_id"]:
            fulfillments.setdefault(f"{s['order_id']}/{s['fulfillment_id']}", set()).add(s["tracking_number"])
    return intents, fulfillments, {s["tracking_number"] for s in shipments}


async def test_a_thousand_shipments_reach_every_sandbox_in_few_calls(stack: Stack) -> None:
    await stack.post_batch([item(i, intent=i % 300, order=i % 300) for i in range(1000)])
    await stack.drain(stack.worker())

    shipments = await stack.shipments()
    assert len(shipments) == 1000
    intents, fulfillments, numbers = hub_state(shipments)
    assert useepay_sets(stack) == intents
    assert shopline_sets(stack) == fulfillments
    assert trackingmore_numbers(stack) == numbers

    useepay_calls = [r for r in stack.sandboxes.useepay.log.items if r.method == "POST"]
    tm_calls = [r for r in stack.sandboxes.trackingmore.log.items if r.path.endswith("/trackings/batch")]
    assert len(useepay_calls) <= math.ceil(300 / 20)
    assert len(tm_calls) <= math.ceil(1000 / 40)
    assert len([r for r in stack.sandboxes.shopline.log.items if r.method == "POST"]) == 300

    status = await stack.sync_status()
    assert status["counts"]["useepay"]["synced"] == 300
    assert status["counts"]["shopline"]["synced"] == 300
    assert status["counts"]["trackingmore"]["synced"] == 1000
    assert all(q["depth"] == 0 for q in status["queues"].values())


async def test_a_later_parcel_joins_and_a_deleted_one_leaves_both_sets(stack: Stack) -> None:
    worker = stack.worker()
    await stack.post_batch([item(1, intent=7, order=7)])
    await stack.drain(worker)
    await stack.post_batch([item(2, intent=7, order=7)])
    await stack.drain(worker)
    both = {s10_number(1), s10_number(2)}
    assert useepay_sets(stack) == {"pi_00007": both}
    assert shopline_sets(stack) == {"000007/f000007": both}

    first = next(s for s in await stack.shipments() if s["tracking_number"] == s10_number(1))
    assert (await stack.hub.delete(f"/v1/shipments/{first['id']}", headers=M)).status_code == 204
    await stack.drain(worker)
    assert useepay_sets(stack) == {"pi_00007": {s10_number(2)}}
    assert shopline_sets(stack) == {"000007/f000007": {s10_number(2)}}
    assert trackingmore_numbers(stack) == {s10_number(2)}


async def test_shipment_shows_its_state_at_each_destination(stack: Stack) -> None:
    await stack.post_batch([item(1, intent=1, order=None), item(2, intent=None, order=2)])
    by_number = {s["tracking_number"]: s for s in await stack.shipments()}
    before = (await stack.hub.get(f"/v1/shipments/{by_number[s10_number(1)]['id']}", headers=M)).json()
    assert before["destinations"]["useepay"]["state"] == "pending"
    assert before["destinations"]["shopline"] == {**before["destinations"]["shopline"], "state": "skipped",
                                                  "reason": "no order"}
    await stack.drain(stack.worker())
    after = (await stack.hub.get(f"/v1/shipments/{by_number[s10_number(1)]['id']}", headers=M)).json()
    useepay = after["destinations"]["useepay"]
    assert (useepay["state"], useepay["acked_version"], useepay["desired_version"]) == ("synced", 1, 1)
    assert useepay["last_outcome"]["result"] == "accepted"
    other = (await stack.hub.get(f"/v1/shipments/{by_number[s10_number(2)]['id']}", headers=M)).json()
    assert other["destinations"]["useepay"]["state"] == "skipped"
    assert other["destinations"]["useepay"]["reason"] == "no payment intent"
    assert other["destinations"]["shopline"]["state"] == "synced"


async def test_parked_targets_are_replayed_through_the_api(stack: Stack) -> None:
    await stack.post_batch([item(i, intent=None, order=9) for i in range(11)])  # 11 parcels on one fulfillment
    worker = stack.worker()
    await stack.drain(worker)
    status = await stack.sync_status()
    assert status["counts"]["shopline"]["parked"] == 1
    shipment = (await stack.shipments())[0]
    detail = (await stack.hub.get(f"/v1/shipments/{shipment['id']}", headers=M)).json()
    assert detail["destinations"]["shopline"]["state"] == "parked"
    assert "tracking_info_list over 10" in detail["destinations"]["shopline"]["reason"]

    # a fix: one parcel moves to another fulfillment; the parked target is bumped and syncs by itself
    moved = item(0, intent=None, order=10)
    await stack.post_batch([moved])
    await stack.drain(worker)
    assert shopline_sets(stack)["000009/f000009"] == {s10_number(i) for i in range(1, 11)}

    replay = await stack.hub.post("/v1/sync/retry", json={"provider": "shopline"}, headers=M)
    assert replay.status_code == 200 and replay.json()["replayed"] == 0


async def test_webhooks_bring_statuses_back_once(stack: Stack) -> None:
    await stack.post_batch([item(i, intent=i, order=None) for i in range(5)])
    await stack.drain(stack.worker())
    advanced = await stack.sandbox.post("/trackingmore/_sandbox/clock/advance", json={"seconds": 10 * 86400})
    reports = advanced.json()["webhooks"]
    assert reports and all(r["delivered"] for r in reports)

    shipments = await stack.shipments()
    assert {s["status"] for s in shipments} != {"pending"}
    sessions = stack.api.state.runtime.sessions
    async with sessions() as session:
        checkpoints = await session.scalar(select(func.count()).select_from(CheckpointRow))
        events = await session.scalar(select(func.count()).select_from(StatusEventRow))
        deliveries = await session.scalar(select(func.count()).select_from(WebhookDeliveryRow))
    assert checkpoints and events and deliveries

    # TrackingMore redelivers the same update (new timeStr, new signature): accepted, nothing added
    tracking = first_tracking(stack)
    for _ in range(2):
        again = await stack.hub.post(f"/v1/webhooks/trackingmore/{MERCHANT}", content=signed(stack, tracking))
        assert again.status_code == 200, again.text
        assert again.json()["duplicate"] is True
    # the same checkpoints inside a different payload are not stored twice either
    changed = {**tracking, "lastUpdateTime": "2099-01-01 00:00:00"}
    third = await stack.hub.post(f"/v1/webhooks/trackingmore/{MERCHANT}", content=signed(stack, changed))
    assert third.status_code == 200 and third.json()["new_checkpoints"] == 0
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(CheckpointRow)) == checkpoints
        assert await session.scalar(select(func.count()).select_from(StatusEventRow)) == events


def first_tracking(stack: Stack) -> dict[str, Any]:
    account = stack.sandboxes.trackingmore.accounts[stack.accounts.trackingmore_api_key]
    return next(iter(account.trackings.values())).to_api()


_EARLIER = itertools.count(60)  # earlier than the sandbox's own pushes of the last seconds


def signed(stack: Stack, tracking: dict[str, Any], email: str | None = None) -> bytes:
    """Each body signed with a timeStr of its own (a minute back, a second earlier each time): a pair is used once."""
    time_str = str(int(time.time()) - next(_EARLIER))
    signature = sign(time_str, email or stack.accounts.account_email)
    body = {"meta": {"code": 200, "type": "Success", "message": "Success"}, "data": tracking,
            "verifyInfo": {"timeStr": time_str, "signature": signature}}
    return json.dumps(body).encode()


async def test_a_badly_signed_webhook_is_refused_and_stores_nothing(stack: Stack) -> None:
    await stack.post_batch([item(1, intent=1, order=None)])
    await stack.drain(stack.worker())
    tracking = {**first_tracking(stack), "status": "delivered", "substatus": "delivered001"}
    forged = signed(stack, tracking, email="attacker@example.com")
    response = await stack.hub.post(f"/v1/webhooks/trackingmore/{MERCHANT}", content=forged)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthorized"
    sessions = stack.api.state.runtime.sessions
    async with sessions() as session:
        for table in (CheckpointRow, StatusEventRow, WebhookDeliveryRow):
            assert await session.scalar(select(func.count()).select_from(table)) == (
                1 if table is StatusEventRow else 0  # the creation event written at ingest
            )
    assert {s["status"] for s in await stack.shipments()} == {"pending"}
