"""The client's request shape and status -> exception mapping, on httpx.MockTransport."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from parcelsync.providers.errors import AuthError, NotFound, RateLimited, Rejected, Retryable, StoreBlocked
from parcelsync.providers.shopline import LeakyBucket, ShoplineClient, TrackingEntry, default_base_url

pytestmark = pytest.mark.anyio

TOKEN = "eyJhbGciOiJIUzUxMiJ9.secret-token-value"
ENTRY = TrackingEntry("4PX", "UG198768340YP", None)
FULFILLMENT = {"fulfillment": {"id": 4005740193290131085320, "order_id": "21057", "extra": {"x": 1}}}

Handler = Callable[[httpx.Request], httpx.Response]


def _client(handler: Handler, api_version: str = "v20260301") -> ShoplineClient:
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return ShoplineClient(
        http,
        base_url="https://shop1.myshopline.com/",
        access_token=TOKEN,
        api_version=api_version,
        limiter=LeakyBucket(100, 100),
    )


def _answer(status: int, body: object = None, *, text: str | None = None, headers: dict | None = None) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        if text is not None:
            return httpx.Response(status, text=text, headers=headers)
        return httpx.Response(status, json=body, headers=headers)

    return handler


def test_default_base_url() -> None:
    assert default_base_url("open001") == "https://open001.myshopline.com"


@pytest.mark.parametrize("version", ["20260301", "v2026", "latest", ""])
def test_bad_api_version_is_refused(version: str) -> None:
    with pytest.raises(ValueError):
        ShoplineClient(httpx.AsyncClient(), base_url="https://x", access_token=TOKEN, api_version=version)


@pytest.mark.parametrize(
    ("version", "path"),
    [
        ("v20260301", "/admin/openapi/v20260301/fulfillments/o%201/f1/update_tracking.json"),
        ("v20260601", "/admin/openapi/v20260601/fulfillments/o%201/f1/update_tracking.json"),
        ("v20250601", "/admin/openapi/v20250601/orders/o%201/fulfillments/f1/update_tracking.json"),
    ],
)
async def test_request_shape(version: str, path: str) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=FULFILLMENT, headers={"traceId": "t-1"})

    result = await _client(handler, version).update_tracking("o 1", "f1", [ENTRY])
    request = seen[0]
    assert request.method == "POST"
    assert request.url.host == "shop1.myshopline.com"
    assert request.url.raw_path.decode() == path
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    assert "fulfillment" in json.loads(request.content)
    assert (result.trace_id, result.status_code, result.fulfillment.id) == ("t-1", 200, "4005740193290131085320")


@pytest.mark.parametrize(
    ("status", "body", "expected", "message"),
    [
        (401, {"errors": "token expired"}, AuthError, "token expired"),
        (403, {"errors": "missing scope write_assigned_fulfillment_orders"}, AuthError, "scope"),
        (402, {"errors": "Unavailable Shop"}, StoreBlocked, "frozen"),
        (423, {"errors": "Locked"}, StoreBlocked, "locked"),
        (404, {"errors": "Not Found"}, NotFound, "Not Found"),
        (400, {"errors": "bad json"}, Rejected, "bad json"),
        (422, {"errors": {"tracking_number": ["is required"]}}, Rejected, "tracking_number: is required"),
        (422, {"errors": ["first", "second"]}, Rejected, "first; second"),
        (500, {"errors": "boom"}, Retryable, "boom"),
        (503, None, Retryable, "HTTP 503"),
    ],
)
async def test_status_to_exception(status: int, body: object, expected: type[Exception], message: str) -> None:
    with pytest.raises(expected, match=message) as info:
        await _client(_answer(status, body, headers={"traceId": "t-9"})).update_tracking("1", "2", [ENTRY])
    assert type(info.value) is expected
    assert info.value.status_code == status
    assert info.value.trace_id == "t-9"
    assert info.value.summary["status_code"] == status  # type: ignore[attr-defined]


async def test_422_object_names_the_field() -> None:
    with pytest.raises(Rejected) as info:
        await _client(_answer(422, {"errors": {"tracking_info_list": "too long"}})).update_tracking("1", "2", [ENTRY])
    assert info.value.field == "tracking_info_list"


@pytest.mark.parametrize(
    ("retry_after", "expected"), [("12", 12.0), (None, None), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0)]
)
async def test_429_is_rate_limited_with_retry_after(retry_after: str | None, expected: float | None) -> None:
    headers = {"Retry-After": retry_after} if retry_after else {}
    with pytest.raises(RateLimited, match="Too many request") as info:
        await _client(_answer(429, {"errors": "Too many request"}, headers=headers)).update_tracking("1", "2", [ENTRY])
    assert info.value.retry_after == expected


@pytest.mark.parametrize(
    ("status", "text"), [(502, "<html>Bad Gateway</html>"), (200, '{"fulfillment": {"id": "1"'), (200, "[]")]
)
async def test_non_json_or_malformed_answers_are_retryable(status: int, text: str) -> None:
    with pytest.raises(Retryable) as info:
        await _client(_answer(status, text=text)).update_tracking("1", "2", [ENTRY])
    assert type(info.value) is Retryable


async def test_timeout_is_retryable() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with pytest.raises(Retryable, match="timeout"):
        await _client(handler).update_tracking("1", "2", [ENTRY])


async def test_token_echoed_by_the_server_is_redacted() -> None:
    client = _client(_answer(401, {"errors": f"bad token {TOKEN}"}))
    with pytest.raises(AuthError) as info:
        await client.update_tracking("1", "2", [ENTRY])
    for text in (str(info.value), repr(info.value), json.dumps(info.value.summary), repr(client)):  # type: ignore[attr-defined]
        assert TOKEN not in text
    assert "***" in str(info.value)
