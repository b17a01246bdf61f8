"""The PayPal client against the PayPal sandbox: tokens, Orders v2, the v1 batch API, errors."""

from __future__ import annotations

from datetime import date

import httpx
import pytest
from tests.integration.paypal.paypal_support import BASE_URL, CAPTURE_ID, CLIENT_ID, ORDER_ID, TRANSACTIONS

from parcelsync.connectors.carriers import default_registry
from parcelsync.domain.models import Shipment
from parcelsync.domain.status import DeliveryStatus
from parcelsync.providers.errors import AuthError, NotFound, RateLimited, Rejected, Retryable
from parcelsync.providers.paypal.client import PayPalClient
from parcelsync.providers.paypal.mapping import TrackerLine, build_payment_trackers
from parcelsync.providers.paypal.status import TrackerStatus, TrackingApi
from parcelsync.sandbox.faults import FaultConfig
from parcelsync.sandbox.paypal import PayPalState

pytestmark = pytest.mark.anyio


def line(number: str, status: TrackerStatus = TrackerStatus.SHIPPED, carrier: str = "UPS") -> TrackerLine:
    return TrackerLine(number, carrier, status, shipment_date=date(2026, 11, 30))


def shipment(number: str, carrier: str = "ups", status: DeliveryStatus = DeliveryStatus.IN_TRANSIT) -> Shipment:
    return Shipment("m1", number, carrier, status=status)


async def test_token_is_cached_until_shortly_before_expiry(client: PayPalClient, state: PayPalState) -> None:
    first = await client.access_token()
    assert await client.access_token() == first
    state.advance(state.token_ttl_s - 60)  # inside the refresh margin
    second = await client.access_token()
    assert second != first
    assert state.tokens_issued == 2


async def test_probe_and_wrong_secret_is_auth_error(http: httpx.AsyncClient, state: PayPalState) -> None:
    good = PayPalClient(http, base_url=BASE_URL, client_id=CLIENT_ID, client_secret="EKtestsecret-shhh-999888777")
    assert await good.probe() == {"ok": True, "tracking_scope": True}
    bad = PayPalClient(http, base_url=BASE_URL, client_id=CLIENT_ID, client_secret="wrong-secret-value")
    with pytest.raises(AuthError) as caught:
        await bad.probe()
    assert "wrong-secret-value" not in repr(caught.value) and caught.value.status_code == 401


async def test_a_401_refreshes_the_token_once(client: PayPalClient, state: PayPalState) -> None:
    await client.access_token()
    state.expire_tokens()  # the cached token is now refused by PayPal
    order = await client.get_order(ORDER_ID)
    assert order["id"] == ORDER_ID
    assert state.tokens_issued == 2
    gets = [r for r in state.log.items if r.path.endswith(ORDER_ID)]
    assert [r.status for r in gets] == [401, 200]


async def test_a_second_401_is_auth_error(client: PayPalClient, state: PayPalState) -> None:
    state.token_ttl_s = 0.000001  # every token is expired on arrival
    with pytest.raises(AuthError):
        await client.get_order(ORDER_ID)
    assert state.tokens_issued == 2


async def test_capture_id_is_looked_up_once_and_cached(client: PayPalClient, state: PayPalState) -> None:
    outcome = await client.add_order_tracker(ORDER_ID, line("1Z5R89390357567127"))
    await client.add_order_tracker(ORDER_ID, line("1Z5R89390357567128"))
    assert outcome.accepted and outcome.tracker_id == f"{CAPTURE_ID}-1Z5R89390357567127"
    assert outcome.debug_id
    assert len(state.log.matching("GET", ORDER_ID)) == 1
    track_calls = state.log.matching("POST", "/track")
    assert track_calls[0].body == {"capture_id": CAPTURE_ID, "tracking_number": "1Z5R89390357567127",
                                   "carrier": "UPS", "notify_payer": False}


async def test_full_set_adds_live_and_cancels_removed(client: PayPalClient, state: PayPalState) -> None:
    registry = default_registry()
    first = build_payment_trackers(ORDER_ID, [shipment("1Z5R89390357567127"), shipment("LX000000116CN", "yanwen")],
                                   [], registry)
    assert all(o.accepted for o in await client.send_order_trackers(first))
    second = build_payment_trackers(ORDER_ID, [shipment("LX000000116CN", "yanwen")],
                                    [shipment("1Z5R89390357567127")], registry)
    outcomes = await client.send_order_trackers(second)
    assert [(o.tracking_number, o.accepted, o.status) for o in outcomes] == [
        ("LX000000116CN", True, TrackerStatus.SHIPPED), ("1Z5R89390357567127", True, TrackerStatus.CANCELLED)]
    stored = {t.tracking_number: t for t in state.trackers.values()}
    assert stored["1Z5R89390357567127"].status == "CANCELLED"
    assert stored["LX000000116CN"].carrier == "YANWEN_CN"
    patch = state.log.matching("PATCH")[0]
    assert patch.body == [{"op": "replace", "path": "/status", "value": "CANCELLED"}]


async def test_unknown_order_is_not_found_per_tracker(client: PayPalClient) -> None:
    trackers = build_payment_trackers("0000UNKNOWN000", [shipment("1Z5R89390357567127")], [], default_registry())
    [outcome] = await client.send_order_trackers(trackers)
    assert not outcome.accepted and isinstance(outcome.error, NotFound)


async def test_writes_carry_a_stable_request_id(client: PayPalClient, state: PayPalState) -> None:
    await client.add_order_tracker(ORDER_ID, line("1Z5R89390357567127"))
    await client.add_order_tracker(ORDER_ID, line("1Z5R89390357567127"))
    [tracker] = state.trackers.values()
    assert tracker.updates == 0  # the repeat was replayed from the idempotency store


async def test_batch_per_item_rejection_keeps_neighbours(client: PayPalClient, state: PayPalState) -> None:
    items = [(TRANSACTIONS[0], line("1Z5R89390357567127")), ("UNKNOWNTXN0001", line("1Z5R89390357567128")),
             (TRANSACTIONS[1], line("https://evil.example/x")), (TRANSACTIONS[2], line("9400111899223197428490"))]
    outcomes = await client.add_trackers_batch(items)
    assert [o.accepted for o in outcomes] == [True, False, False, True]
    assert outcomes[1].error is not None and outcomes[1].error.code == "INVALID_RESOURCE_ID"
    assert outcomes[2].reason and "INVALID_PARAMETER_VALUE" in outcomes[2].reason
    assert outcomes[1].debug_id


async def test_batch_limit_is_20(client: PayPalClient, state: PayPalState) -> None:
    with pytest.raises(ValueError):
        await client.add_trackers_batch([(t, line(f"1Z00000{i:011d}")) for i, t in enumerate(TRANSACTIONS[:21])])
    payments = [build_payment_trackers(t, [shipment(f"1Z00000{i:011d}")], [], default_registry(),
                                       api=TrackingApi.BATCH_V1) for i, t in enumerate(TRANSACTIONS[:25])]
    outcomes = await client.send_batch_trackers(payments)
    assert len(outcomes) == 25 and all(o.accepted for o in outcomes)
    sizes = [len(r.body["trackers"]) for r in state.log.matching("POST", "trackers-batch")]
    assert sizes == [20, 5]


async def test_batch_known_trackers_are_updated_with_put(client: PayPalClient, state: PayPalState) -> None:
    txn = TRANSACTIONS[3]
    await client.add_trackers_batch([(txn, line("1Z5R89390357567127"))])
    delivered = build_payment_trackers(txn, [shipment("1Z5R89390357567127", status=DeliveryStatus.DELIVERED)], [],
                                       default_registry(), api=TrackingApi.BATCH_V1)
    [outcome] = await client.send_batch_trackers([delivered], {(txn, "1Z5R89390357567127"): "UPS||SHIPPED"})
    assert outcome.accepted and outcome.status is TrackerStatus.DELIVERED
    assert (await client.get_tracker(txn, "1Z5R89390357567127"))["status"] == "DELIVERED"


async def test_too_many_updates_is_rejected(client: PayPalClient, state: PayPalState) -> None:
    state.max_tracker_updates = 1
    txn = TRANSACTIONS[4]
    await client.add_trackers_batch([(txn, line("1Z5R89390357567127"))])
    await client.update_tracker(txn, line("1Z5R89390357567127", TrackerStatus.DELIVERED))
    with pytest.raises(Rejected) as caught:
        await client.update_tracker(txn, line("1Z5R89390357567127", TrackerStatus.CANCELLED))
    assert caught.value.code == "NUMBER_OF_UPDATES_EXCEEDED"


async def test_429_with_retry_after_and_5xx(client: PayPalClient, state: PayPalState) -> None:
    await client.access_token()
    state.faults.configure(FaultConfig(rate_limit_burst=1, retry_after=7))
    with pytest.raises(RateLimited) as caught:
        await client.get_order(ORDER_ID)
    assert caught.value.retry_after == 7
    state.faults.configure(FaultConfig(error_rate=1.0, error_status=503))
    with pytest.raises(Retryable):
        await client.get_order(ORDER_ID)


async def test_batch_call_failure_fails_only_its_trackers(client: PayPalClient, state: PayPalState) -> None:
    await client.access_token()
    state.faults.configure(FaultConfig(error_rate=1.0, error_status=500))
    payments = [build_payment_trackers(TRANSACTIONS[5], [shipment("1Z5R89390357567127")], [], default_registry(),
                                       api=TrackingApi.BATCH_V1)]
    [outcome] = await client.send_batch_trackers(payments)
    assert not outcome.accepted and isinstance(outcome.error, Retryable)


async def test_concurrent_callers_share_one_token_request(client: PayPalClient, state: PayPalState) -> None:
    import asyncio

    tokens = await asyncio.gather(*(client.access_token() for _ in range(10)))
    assert len(set(tokens)) == 1 and state.tokens_issued == 1


async def test_caller_request_ids_are_sent(client: PayPalClient, state: PayPalState) -> None:
    trackers = build_payment_trackers(ORDER_ID, [shipment("1Z5R89390357567127")], [], default_registry())
    await client.send_order_trackers(trackers, request_id_prefix="target-7:v3")
    assert any(key.endswith("target-7:v3:1Z5R89390357567127:SHIPPED") for _, key in state.idempotency)


async def test_a_hung_call_is_retryable_within_the_deadline(state: PayPalState) -> None:
    from parcelsync.sandbox.paypal import create_app

    state.faults.configure(FaultConfig(timeout_rate=1.0, timeout_seconds=5))
    transport = httpx.ASGITransport(app=create_app(state))
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL, timeout=0.05) as http:
        client = PayPalClient(http, base_url=BASE_URL, client_id=CLIENT_ID, client_secret="EKtestsecret-shhh-999888777")
        with pytest.raises(Retryable, match="timeout"):
            await client.access_token()


async def test_read_back_for_reconcile(client: PayPalClient) -> None:
    await client.add_order_tracker(ORDER_ID, line("1Z5R89390357567127"))
    [tracker] = await client.order_trackers(ORDER_ID)
    assert tracker["id"] == f"{CAPTURE_ID}-1Z5R89390357567127" and tracker["status"] == "SHIPPED"
    await client.add_trackers_batch([(TRANSACTIONS[6], line("1Z5R89390357567127")),
                                     (TRANSACTIONS[6], line("1Z5R89390357567128"))])
    listed = await client.list_trackers(TRANSACTIONS[6])
    assert sorted(t["tracking_number"] for t in listed) == ["1Z5R89390357567127", "1Z5R89390357567128"]
    assert len(await client.list_trackers(TRANSACTIONS[6], "1Z5R89390357567128")) == 1
