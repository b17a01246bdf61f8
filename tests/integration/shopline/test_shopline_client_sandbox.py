"""ShoplineClient against the in-process sandbox: both versions, overwrite safety, errors, faults, the bucket."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

import httpx
import pytest
from tests.integration.shopline.shopline_helpers import BASE, HANDLE, TOKEN, FakeClock

from parcelsync.providers.errors import AuthError, NotFound, RateLimited, Rejected, Retryable, StoreBlocked
from parcelsync.providers.shopline import LeakyBucket, ShoplineClient, TrackingEntry
from parcelsync.providers.shopline.ratelimit import DEFAULT_CAPACITY, DEFAULT_RATE
from parcelsync.sandbox.faults import FaultConfig
from parcelsync.sandbox.shopline import ShoplineState

pytestmark = pytest.mark.anyio

MakeClient = Callable[..., ShoplineClient]
A = TrackingEntry("4PX", "UG198768340YP", "https://t.example/UG198768340YP")
B = TrackingEntry("Other", "1Z999AA10123456784", None)


def _stored(state: ShoplineState, fulfillment_id: str = "f1") -> list[str]:
    return [t.number for t in state.stores[HANDLE].orders["1001"][fulfillment_id].tracking]


async def test_v20260301_update_returns_typed_fulfillment_and_trace_id(make_client: MakeClient) -> None:
    result = await make_client().update_tracking("1001", "f1", [A], notify_customer=True)

    assert result.status_code == 200
    assert result.trace_id and len(result.trace_id) == 32
    assert result.fulfillment.id == "f1"
    assert result.fulfillment.tracking_info_list is not None
    assert [i.tracking_number for i in result.fulfillment.tracking_info_list] == [A.number]
    assert result.fulfillment.line_items[0].price_set is not None
    assert result.summary["url"] == f"{BASE}/{HANDLE}/admin/openapi/v20260301/fulfillments/1001/f1/update_tracking.json"
    assert result.summary["request_headers"]["authorization"] == "***"
    assert result.summary["request_body"]["fulfillment"]["notify_customer"] is True
    assert result.summary["trace_id"] == result.trace_id


async def test_second_parcel_keeps_the_first_and_omitting_one_clears_it(
    make_client: MakeClient, state: ShoplineState
) -> None:
    client = make_client()
    await client.update_tracking("1001", "f1", [A])
    await client.update_tracking("1001", "f1", [A, B])
    assert _stored(state) == [A.number, B.number]

    await client.update_tracking("1001", "f1", [B])
    assert _stored(state) == [B.number]

    cleared = await client.update_tracking("1001", "f1", [])
    assert cleared.fulfillment.tracking_info_list == []
    assert _stored(state) == []


async def test_v20250601_sends_the_most_recent_parcel(make_client: MakeClient, state: ShoplineState) -> None:
    client = make_client(api_version="v20250601")
    result = await client.update_tracking("1001", "f2", [A, B])

    assert _stored(state, "f2") == [B.number]
    assert result.fulfillment.tracking_number == B.number
    assert result.fulfillment.tracking_info_list is None
    sent = state.log.items[-1]
    assert sent.path == f"/{HANDLE}/admin/openapi/v20250601/orders/1001/fulfillments/f2/update_tracking.json"
    assert sent.body == {"fulfillment": {"tracking_info": {"company": "Other", "number": B.number}}}


async def test_eleven_entries_is_rejected_before_any_call(make_client: MakeClient, state: ShoplineState) -> None:
    entries = [TrackingEntry("4PX", f"N{i}", None) for i in range(11)]
    with pytest.raises(Rejected, match="at most 10") as info:
        await make_client().update_tracking("1001", "f1", entries)
    assert info.value.field == "tracking_info_list"
    assert state.log.items == []


async def test_expired_token_is_auth_error(make_client: MakeClient, state: ShoplineState) -> None:
    state.stores[HANDLE].token_expired = True
    with pytest.raises(AuthError, match="expired") as info:
        await make_client().update_tracking("1001", "f1", [A])
    assert info.value.status_code == 401
    assert info.value.trace_id


async def test_wrong_token_is_auth_error(make_client: MakeClient) -> None:
    with pytest.raises(AuthError):
        await make_client(access_token="not-the-token").update_tracking("1001", "f1", [A])


@pytest.mark.parametrize(("flag", "status"), [("locked", 423), ("frozen", 402)])
async def test_locked_or_frozen_store_is_store_blocked(
    make_client: MakeClient, state: ShoplineState, flag: str, status: int
) -> None:
    setattr(state.stores[HANDLE], flag, True)
    with pytest.raises(StoreBlocked, match=flag) as info:
        await make_client().update_tracking("1001", "f1", [A])
    assert not isinstance(info.value, Retryable)
    assert info.value.status_code == status


async def test_unknown_fulfillment_is_not_found(make_client: MakeClient) -> None:
    with pytest.raises(NotFound, match="fulfillment nope"):
        await make_client().update_tracking("1001", "nope", [A])


async def test_host_based_base_url(http: httpx.AsyncClient) -> None:
    client = ShoplineClient(
        http, base_url="http://demo-store.myshopline.com", access_token=TOKEN, limiter=LeakyBucket(100, 100)
    )
    result = await client.update_tracking("1001", "f1", [A])
    assert result.fulfillment.tracking_number == A.number


@pytest.mark.parametrize(
    ("faults", "expected", "status"),
    [
        ({"error_rate": 1, "error_status": 503}, Retryable, 503),
        ({"error_rate": 1, "error_status": 500}, Retryable, 500),
        ({"timeout_rate": 1, "timeout_seconds": 0}, Retryable, 504),
        ({"malformed_rate": 1}, Retryable, 200),
        ({"rate_limit_burst": 1, "retry_after": 7}, RateLimited, 429),
    ],
)
async def test_fault_classes_map_to_exceptions(
    make_client: MakeClient, state: ShoplineState, faults: dict, expected: type[Exception], status: int
) -> None:
    state.faults.configure(FaultConfig.from_dict(faults))
    with pytest.raises(expected) as info:
        await make_client().update_tracking("1001", "f1", [A])
    assert type(info.value) is expected
    assert info.value.status_code == status
    if expected is RateLimited:
        assert info.value.retry_after == 7


async def test_network_failure_is_retryable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(refuse)) as http:
        client = ShoplineClient(
            http, base_url="https://x.myshopline.com", access_token=TOKEN, limiter=LeakyBucket(100, 100)
        )
        with pytest.raises(Retryable, match="network error"):
            await client.update_tracking("1", "2", [A])


async def test_token_never_leaks(
    make_client: MakeClient, state: ShoplineState, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = make_client()
    result = await client.update_tracking("1001", "f1", [A])
    state.stores[HANDLE].locked = True
    with pytest.raises(StoreBlocked) as info:
        await client.update_tracking("1001", "f1", [A])
    texts = [
        repr(client),
        repr(result),
        str(result.summary),
        str(info.value),
        repr(info.value),
        info.value.reason,
        str(info.value.summary),
        caplog.text,
    ]  # type: ignore[attr-defined]
    assert not [t for t in texts if TOKEN in t]


async def test_burst_of_100_through_the_client_never_meets_429(http: httpx.AsyncClient, state: ShoplineState) -> None:
    """Real clock; the sandbox leaks 400/s with a bucket of 40, the client is stricter (200/s, 10).

    The client's margin absorbs scheduling jitter on a busy machine (75 ms and more); one warm-up call first
    so the first request of the burst is not slowed by first-use costs.
    """
    state.clock = time.monotonic
    state.add_store("burst", "burst-token", auto_create=True, rate_per_second=400, bucket_size=40)
    client = ShoplineClient(
        http, base_url=f"{BASE}/burst", access_token="burst-token", limiter=LeakyBucket(rate=200, capacity=10)
    )

    await client.update_tracking("warm", "up", [A])
    state.log.clear()
    await asyncio.sleep(0.1)

    await asyncio.gather(*(client.update_tracking("O", f"F{i}", [A]) for i in range(100)))

    assert state.log.summary()["by_status"] == {"200": 100}
    assert len(state.stores["burst"].orders["O"]) == 100


async def test_same_burst_without_the_client_bucket_does_meet_429(
    http: httpx.AsyncClient, state: ShoplineState
) -> None:
    """The control for the test above: with no pacing, the sandbox's bucket really answers 429."""
    state.add_store("burst", "burst-token", auto_create=True, rate_per_second=400, bucket_size=40)
    client = ShoplineClient(
        http, base_url=f"{BASE}/burst", access_token="burst-token", limiter=LeakyBucket(rate=1e6, capacity=1000)
    )
    outcomes = await asyncio.gather(
        *(client.update_tracking("O", f"F{i}", [A]) for i in range(100)), return_exceptions=True
    )
    assert any(isinstance(o, RateLimited) for o in outcomes)


async def test_production_buckets_on_a_simulated_clock_pace_100_updates_without_429(
    http: httpx.AsyncClient, state: ShoplineState, clock: FakeClock
) -> None:
    """Client defaults (4/s, 36) against SHOPLINE's 4/s bucket 40, one shared simulated clock."""

    async def sleep(seconds: float) -> None:
        clock.advance(seconds)

    state.add_store("paced", "paced-token", auto_create=True)
    client = ShoplineClient(
        http, base_url=f"{BASE}/paced", access_token="paced-token", limiter=LeakyBucket(clock=clock, sleep=sleep)
    )
    started = clock.now
    for i in range(100):
        await client.update_tracking("O", f"F{i}", [A])

    assert state.log.summary()["by_status"] == {"200": 100}
    assert clock.now - started == pytest.approx((100 - DEFAULT_CAPACITY) / DEFAULT_RATE)


async def test_unpaced_sequence_meets_429_at_the_41st(http: httpx.AsyncClient, state: ShoplineState) -> None:
    """The control: the same store without client pacing (the simulated clock stands still)."""
    state.add_store("paced", "paced-token", auto_create=True)
    client = ShoplineClient(
        http, base_url=f"{BASE}/paced", access_token="paced-token", limiter=LeakyBucket(rate=1e6, capacity=1000)
    )
    for i in range(40):
        await client.update_tracking("O", f"F{i}", [A])
    with pytest.raises(RateLimited, match="Too many request"):
        await client.update_tracking("O", "F40", [A])
