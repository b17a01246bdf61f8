"""AfterShip client edges a sandbox does not show: 4003 naming the existing tracking, odd envelopes."""

from __future__ import annotations

import json

import httpx
import pytest

from parcelsync.providers.aftership.client import AfterShipClient
from parcelsync.providers.aftership.ratelimit import AfterShipLimiter
from parcelsync.providers.errors import Retryable

pytestmark = pytest.mark.anyio
TRACKING = {"id": "abcdefabcdefabcdefabcdef", "tracking_number": "1Z5R89390357567127", "slug": "ups",
            "tag": "InTransit", "subtag": "InTransit_001", "title": "new"}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def client_for(handler: httpx.MockTransport) -> AfterShipClient:
    http = httpx.AsyncClient(transport=handler, base_url="https://api.aftership.com/tracking/2026-07")
    return AfterShipClient(http, api_key="k" * 12, limiter=AfterShipLimiter())


async def test_already_exists_naming_the_tracking_updates_it_directly() -> None:
    seen: list[tuple[str, str]] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append((request.method, request.url.path))
        assert request.headers["as-api-key"] == "k" * 12
        if request.method == "POST":
            return httpx.Response(400, json={"meta": {"code": 4003, "message": "Tracking already exists.",
                                                      "type": "BadRequest"},
                                             "data": {"tracking": {"id": TRACKING["id"]}}})
        assert json.loads(request.content) == {"title": "new"}
        return httpx.Response(200, json={"meta": {"code": 200}, "data": TRACKING})

    result = await client_for(httpx.MockTransport(handle)).register(
        {"tracking_number": "1Z5R89390357567127", "slug": "ups", "title": "new"})
    assert not result.created and result.tracking.id == TRACKING["id"]
    assert seen == [("POST", "/tracking/2026-07/trackings"), ("PUT", f"/tracking/2026-07/trackings/{TRACKING['id']}")]


async def test_an_answer_without_the_envelope_is_retryable() -> None:
    client = client_for(httpx.MockTransport(lambda r: httpx.Response(200, text="<html>proxy</html>")))
    with pytest.raises(Retryable):
        await client.get_tracking("abcdefabcdefabcdefabcdef")


async def test_http_error_without_json_keeps_its_status() -> None:
    client = client_for(httpx.MockTransport(lambda r: httpx.Response(502, text="bad gateway")))
    with pytest.raises(Retryable) as caught:
        await client.list_couriers()
    assert caught.value.status_code == 502
