"""The AfterShip client against the AfterShip sandbox: every endpoint used, errors, limits, webhooks."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from tests.integration.aftership.conftest import API_KEY, BASE_URL, SECRET, Receiver

from parcelsync.connectors.carriers import default_registry
from parcelsync.domain.models import Shipment
from parcelsync.domain.status import DeliveryStatus
from parcelsync.providers.aftership.client import AfterShipClient, AlreadyExists
from parcelsync.providers.aftership.mapping import build_create_body, build_update_body
from parcelsync.providers.aftership.ratelimit import AfterShipLimiter
from parcelsync.providers.aftership.schemas import Endpoint
from parcelsync.providers.aftership.webhook import WebhookVerificationError, parse_webhook, verify_webhook
from parcelsync.providers.errors import AuthError, NotFound, RateLimited, Rejected, Retryable
from parcelsync.sandbox.aftership import AfterShipState, create_app
from parcelsync.sandbox.aftership.models import DEMO_API_KEY
from parcelsync.sandbox.faults import FaultConfig

pytestmark = pytest.mark.anyio
FIXTURES = Path(__file__).parents[2] / "fixtures" / "aftership"
UPS = "1Z5R89390357567127"


def shipment(number: str = UPS, carrier: str = "ups", **kw: object) -> Shipment:
    return Shipment("m1", number, carrier, **kw)  # type: ignore[arg-type]


async def test_docs_create_example_is_accepted_on_a_fresh_sandbox() -> None:
    app = create_app(AfterShipState())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as http:
        # The quick start's curl: its placeholder key and body, as they are.
        answer = await http.post("/trackings", headers={"as-api-key": "your aftership api key",
                                                        "Content-Type": "application/json"},
                                 json=json.loads((FIXTURES / "create_tracking_request.json").read_text()))
        demo = await http.get("/couriers", headers={"as-api-key": DEMO_API_KEY})
    assert demo.status_code == 200
    assert answer.status_code == 201
    body = answer.json()
    assert body["meta"] == {"code": 201, "message": "", "type": "Created"}
    assert body["data"]["slug"] == "usps" and body["data"]["tag"] == "Pending"
    assert answer.headers["X-RateLimit-Limit"] == "20"


async def test_create_get_update_delete(client: AfterShipClient) -> None:
    registry = default_registry()
    created = await client.create_tracking(build_create_body(shipment(title="Linen shirt", order_id="1001",
                                                                      customer_email="o@example.com"), registry))
    assert created.slug == "ups" and created.status is DeliveryStatus.PENDING and created.id
    assert (await client.get_tracking(created.id)).tracking_number == UPS
    updated = await client.update_tracking(created.id, {"title": "Linen shirt (blue)"})
    assert updated.raw["title"] == "Linen shirt (blue)"
    deleted = await client.delete_tracking(created.id)
    assert deleted.id == created.id
    with pytest.raises(NotFound):
        await client.get_tracking(created.id)


async def test_already_exists_is_success_then_update(client: AfterShipClient, state: AfterShipState) -> None:
    registry = default_registry()
    first = await client.register(build_create_body(shipment(), registry))
    with pytest.raises(AlreadyExists):
        await client.create_tracking({"tracking_number": UPS, "slug": "ups"})
    again = await client.register(build_create_body(shipment(title="Changed"), registry),
                                  build_update_body(shipment(title="Changed")))
    assert first.created and not again.created
    assert again.tracking.id == first.tracking.id and again.tracking.raw["title"] == "Changed"
    paths = [(r.method, r.path) for r in state.log.items]
    assert ("PUT", f"/trackings/{first.tracking.id}") in paths


async def test_unknown_carrier_is_detected_by_aftership(client: AfterShipClient) -> None:
    body = build_create_body(shipment("LX000000116CN", "Some Local Courier"), default_registry())
    assert "slug" not in body
    assert (await client.create_tracking(body)).slug == "china-post"
    with pytest.raises(Rejected) as caught:
        await client.create_tracking({"tracking_number": "ZZZ999"})
    assert caught.value.code == "4012"


async def test_list_with_cursor_and_filters(client: AfterShipClient) -> None:
    for i in range(5):
        await client.create_tracking({"tracking_number": f"1Z5R8939035756{i:04d}", "slug": "ups"})
    page, cursor = await client.list_trackings(limit=2)
    assert len(page) == 2 and cursor
    every = [t async for t in client.iter_trackings(limit=2)]
    assert len({t.id for t in every}) == 5
    found = await client.find_tracking("1Z5R89390357560003", "ups")
    assert found is not None and found.tracking_number == "1Z5R89390357560003"
    assert await client.find_tracking("1Z5R89390357569999") is None


async def test_detect_couriers_and_probe(client: AfterShipClient) -> None:
    couriers = await client.detect_courier(UPS)
    assert [c["slug"] for c in couriers] == ["ups"]
    assert (await client.probe())["couriers"] > 50


async def test_retrack_and_mark_as_completed(client: AfterShipClient, http: httpx.AsyncClient) -> None:
    created = await client.create_tracking({"tracking_number": UPS, "slug": "ups"})
    with pytest.raises(Rejected) as caught:
        await client.retrack(created.id)
    assert caught.value.code == "4013"
    done = await client.mark_as_completed(created.id, "DELIVERED")
    assert done.status is DeliveryStatus.DELIVERED and done.active is False
    assert (await client.retrack(created.id)).active is True
    await client.mark_as_completed(created.id, "LOST")
    with pytest.raises(Rejected) as again:
        await client.retrack(created.id)
    assert again.value.code == "4016"


async def test_wrong_key_is_auth_error_without_the_key(http: httpx.AsyncClient) -> None:
    bad = AfterShipClient(http, api_key="asat_wrong_key_9999", base_url=BASE_URL, limiter=AfterShipLimiter())
    with pytest.raises(AuthError) as caught:
        await bad.probe()
    assert "asat_wrong_key_9999" not in repr(caught.value)


async def test_429_has_retry_after_and_holds_the_endpoint(client: AfterShipClient, http: httpx.AsyncClient,
                                                          state: AfterShipState) -> None:
    created = await client.create_tracking({"tracking_number": UPS, "slug": "ups"})
    for _ in range(5):  # another caller on the same account uses up this second's window of 5 GETs
        await http.get(f"/trackings/{created.id}", headers={"as-api-key": API_KEY})
    with pytest.raises(RateLimited) as caught:
        await client.get_tracking(created.id)
    assert caught.value.retry_after == 1
    assert client.limiter.meter(Endpoint.GET).reserve() > 0  # held until the window resets
    raw = await http.get(f"/trackings/{created.id}", headers={"as-api-key": API_KEY})
    assert raw.status_code == 429 and raw.json()["meta"]["type"] == "TooManyRequests"
    assert raw.headers["X-RateLimit-Remaining"] == "0" and raw.headers["Retry-After"] == "1"


async def test_client_paces_to_the_endpoint_limit(http: httpx.AsyncClient, state: AfterShipState) -> None:
    client = AfterShipClient(http, api_key=API_KEY, base_url=BASE_URL, limiter=AfterShipLimiter())
    created = await client.create_tracking({"tracking_number": UPS, "slug": "ups"})
    for _ in range(12):  # over two windows of 5/s: never a 429
        await client.get_tracking(created.id)
    assert not [r for r in state.log.items if r.status == 429]


async def test_faults_map_to_retryable(client: AfterShipClient, state: AfterShipState) -> None:
    state.faults.configure(FaultConfig(error_rate=1.0, error_status=503))
    with pytest.raises(Retryable):
        await client.probe()
    state.faults.configure(FaultConfig(rate_limit_burst=1, retry_after=3))
    with pytest.raises(RateLimited) as caught:
        await client.probe()
    assert caught.value.retry_after == 3


async def test_tags_move_on_the_clock_and_signed_webhooks_arrive(
    client: AfterShipClient, http: httpx.AsyncClient, receiver: Receiver
) -> None:
    created = await client.create_tracking({"tracking_number": UPS, "slug": "ups"})
    advanced = (await http.post("/_sandbox/clock/advance", json={"seconds": 40 * 24 * 3600})).json()
    assert advanced["changes"] and all(w["delivered"] for w in advanced["webhooks"])
    final = await client.get_tracking(created.id)
    assert final.status is not DeliveryStatus.PENDING and final.checkpoints
    body, headers = receiver.received[-1]
    verify_webhook(body, headers["aftership-hmac-sha256"], SECRET)
    event = parse_webhook(body)
    assert event.event == "tracking_update" and event.tracking is not None
    assert event.tracking.id == created.id and event.tracking.status is final.status
    with pytest.raises(WebhookVerificationError):
        verify_webhook(body.replace(b"tracking_update", b"tracking_updatX"), headers["aftership-hmac-sha256"], SECRET)
    with pytest.raises(WebhookVerificationError):
        verify_webhook(body, headers["aftership-hmac-sha256"], "another-secret")


async def test_a_hung_call_is_retryable_within_the_deadline(state: AfterShipState) -> None:
    state.faults.configure(FaultConfig(timeout_rate=1.0, timeout_seconds=5))
    transport = httpx.ASGITransport(app=create_app(state))
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL, timeout=0.05) as http:
        client = AfterShipClient(http, api_key=API_KEY, base_url=BASE_URL, limiter=AfterShipLimiter())
        with pytest.raises(Retryable, match="timeout"):
            await client.probe()
