"""Client error mapping for answers the sandbox never gives (via httpx.MockTransport, not monkeypatching)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from parcelsync.providers.errors import AuthError, NotFound, ProviderError, RateLimited, Rejected, Retryable
from parcelsync.providers.useepay import ShipmentLine, TrackerInput, UseePayClient

API_KEY = "UseePay_SK_unit_9f8e7d6c5b4a"
TRACKER = TrackerInput("pi_1", (ShipmentLine("ups", "1Z1", "https://www.ups.com/"),))


def client_for(handler: Callable[[httpx.Request], httpx.Response]) -> UseePayClient:
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler), timeout=2.0)
    return UseePayClient(http, base_url="https://uat.example/", merchant_no="5001", app_id="shop", api_key=API_KEY)


def answer(status: int, body: Any, headers: dict[str, str] | None = None) -> Callable[[httpx.Request], httpx.Response]:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return lambda _: httpx.Response(status, content=content, headers=headers)


def assert_no_key(exc: BaseException) -> None:
    assert API_KEY not in str(exc) and API_KEY not in repr(exc)
    assert all(API_KEY not in str(arg) for arg in exc.args)


@pytest.mark.anyio
async def test_request_carries_the_documented_headers_and_body() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"code": "0000", "data": {"accepted": [{"payment_intent_id": "pi_1"}]}})

    result = await client_for(handler).upload_batch([TRACKER], {"batch": 7})
    [request] = seen
    assert request.method == "POST" and request.url == "https://uat.example/api/v2/shipping/trackers"
    assert request.headers["x-merchant-no"] == "5001" and request.headers["x-app-id"] == "shop"
    assert request.headers["x-api-key"] == API_KEY and request.headers["x-api-version"] == "2024-08"
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {
        "meta_data": {"batch": 7},
        "trackers": [
            {
                "payment_intent_id": "pi_1",
                "shipments": [{"carrier": "ups", "tracking_number": "1Z1", "tracking_url": "https://www.ups.com/"}],
            }
        ],
    }
    assert result.status_code == 200 and result.outcomes[0].accepted
    assert API_KEY not in json.dumps(result.summary)
    assert result.summary["request"]["headers"]["x-api-key"] == "***"


@pytest.mark.parametrize(
    ("status", "body", "headers", "kind", "field"),
    [
        (400, {"code": "invalid_argument", "source": "trackers", "message": "too many"}, None, Rejected, "trackers"),
        (
            401,
            {"code": "invalid_request_error", "source": "x-api-key", "message": "bad key"},
            None,
            AuthError,
            "x-api-key",
        ),
        (403, {"code": "invalid_request_error", "source": None, "message": "forbidden"}, None, AuthError, None),
        (
            404,
            {"code": "resource_not_found", "source": "payment_intent_id", "message": "no"},
            None,
            NotFound,
            "payment_intent_id",
        ),
        (429, {"code": "x", "message": "Too many request"}, {"Retry-After": "7"}, RateLimited, None),
        (500, b"<html>oops</html>", None, Retryable, None),
        (502, {"code": "service_unavailable"}, None, Retryable, None),
        (200, b'{"code": "0000", "data": {"acc', None, Retryable, None),
        (200, [1, 2], None, Retryable, None),
        (200, {"code": "invalid_argument", "source": "trackers", "message": "bad"}, None, Rejected, "trackers"),
        (200, {"code": "service_unavailable", "message": "later"}, None, Retryable, None),
    ],
)
@pytest.mark.anyio
async def test_status_and_code_map_to_the_shared_family(
    status: int, body: Any, headers: dict[str, str] | None, kind: type[ProviderError], field: str | None
) -> None:
    with pytest.raises(kind) as info:
        await client_for(answer(status, body, headers)).upload_batch([TRACKER])
    assert type(info.value) is kind
    assert info.value.field == field and info.value.provider == "useepay"
    if kind is RateLimited:
        assert info.value.retry_after == 7.0  # type: ignore[attr-defined]
    assert_no_key(info.value)


@pytest.mark.anyio
async def test_key_echoed_by_the_server_is_redacted_everywhere() -> None:
    echo = {"code": "invalid_request_error", "source": "x-api-key", "message": f"key {API_KEY} is revoked"}
    with pytest.raises(AuthError) as info:
        await client_for(answer(401, echo)).upload_batch([TRACKER])
    assert_no_key(info.value)
    assert "***" in info.value.message
    rejected = {"code": "0000", "data": {"rejected": [{"payment_intent_id": "pi_1", "reason": f"bad {API_KEY}"}]}}
    result = await client_for(answer(200, rejected)).upload_batch([TRACKER])
    assert API_KEY not in str(result.outcomes) and API_KEY not in json.dumps(result.summary)


@pytest.mark.anyio
async def test_transport_failure_is_retryable() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(Retryable) as info:
        await client_for(handler).upload_batch([TRACKER])
    assert_no_key(info.value)


def test_repr_hides_the_key() -> None:
    client = client_for(answer(200, {}))
    assert API_KEY not in repr(client) and "5001" in repr(client)


@pytest.mark.anyio
async def test_more_than_twenty_or_duplicates_are_refused_before_any_call() -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(200, json={"code": "0000", "data": {}})

    client = client_for(handler)
    many = [TrackerInput(f"pi_{i}", TRACKER.shipments) for i in range(21)]
    with pytest.raises(ValueError, match="at most 20"):
        await client.upload_batch(many)
    with pytest.raises(ValueError, match="twice"):
        await client.upload_trackers([TRACKER, TRACKER])
    assert (await client.upload_batch([])).outcomes == []
    assert calls == []
