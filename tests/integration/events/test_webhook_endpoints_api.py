"""`/v1/webhook-endpoints`: CRUD, the secret shown once, rotation, SSRF refusals, log, replay, test ping."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from standardwebhooks.webhooks import Webhook

from parcelsync.outbound.dispatcher import Dispatcher
from parcelsync.outbound.receiver import ReceiverState, create_receiver_app

pytestmark = pytest.mark.anyio
URL = "https://hooks.example.com/parcelsync"


async def test_crud_and_the_secret_is_shown_once(merchant: httpx.AsyncClient) -> None:
    created = await merchant.post("/v1/webhook-endpoints", json={"url": URL, "event_types": ["shipment.*"]})
    assert created.status_code == 201, created.text
    body = created.json()
    secret = body["secret"]
    assert secret.startswith("whsec_") and body["enabled"] is True
    eid = body["id"]
    listed = await merchant.get("/v1/webhook-endpoints")
    one = await merchant.get(f"/v1/webhook-endpoints/{eid}")
    assert secret not in listed.text and secret not in one.text and "secret" not in one.json()
    patched = await merchant.patch(
        f"/v1/webhook-endpoints/{eid}", json={"enabled": False, "event_types": ["alert.raised"]}
    )
    assert patched.json()["enabled"] is False and patched.json()["event_types"] == ["alert.raised"]
    rotated = await merchant.post(f"/v1/webhook-endpoints/{eid}/rotate-secret")
    assert rotated.status_code == 200 and rotated.json()["secret"] != secret
    assert (await merchant.delete(f"/v1/webhook-endpoints/{eid}")).status_code == 204
    assert (await merchant.get(f"/v1/webhook-endpoints/{eid}")).status_code == 404


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1:8000/hook", "http://169.254.169.254/", "ftp://example.com/", "http://10.1.2.3/x"]
)
async def test_internal_urls_are_refused_by_default(merchant: httpx.AsyncClient, url: str) -> None:
    response = await merchant.post("/v1/webhook-endpoints", json={"url": url})
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == "url"


async def test_unknown_event_type_is_a_422_naming_the_field(merchant: httpx.AsyncClient) -> None:
    response = await merchant.post("/v1/webhook-endpoints", json={"url": URL, "event_types": ["nope"]})
    assert response.status_code == 422 and "event_types" in response.text


async def test_endpoints_are_scoped_to_their_merchant(merchant: httpx.AsyncClient) -> None:
    eid = (await merchant.post("/v1/webhook-endpoints", json={"url": URL})).json()["id"]
    await merchant.post("/v1/merchants", json={"id": "other", "name": "Other"})
    assert (await merchant.get(f"/v1/webhook-endpoints/{eid}", headers={"X-Merchant-Id": "other"})).status_code == 404


async def test_ping_log_and_replay_of_a_time_range(app: FastAPI, merchant: httpx.AsyncClient) -> None:
    runtime = app.state.runtime
    object.__setattr__(runtime.settings, "webhook_allow_private_urls", True)
    state = ReceiverState()
    transport = httpx.ASGITransport(app=create_receiver_app(state))
    app.state.webhook_transport = transport
    created = (await merchant.post("/v1/webhook-endpoints", json={"url": "http://receiver.test/hook"})).json()
    state.secret = created["secret"]
    eid = created["id"]
    ping = await merchant.post(f"/v1/webhook-endpoints/{eid}/test")
    assert ping.status_code == 200 and ping.json()["ok"] is True and ping.json()["status"] == 200
    assert state.received[-1].verified and state.received[-1].payload["type"] == "webhook.test"  # type: ignore[index]

    shipped = await merchant.post("/v1/shipments", json={"tracking_number": "1Z5R89390357567127"})
    assert shipped.status_code in (200, 201)
    async with httpx.AsyncClient(transport=transport) as http:
        dispatcher = Dispatcher(runtime.sessions, runtime.settings, cipher=runtime.cipher, http=http)
        assert await dispatcher.run_once() == 1
        log = (await merchant.get(f"/v1/webhook-endpoints/{eid}/deliveries")).json()
        assert log["counts"]["delivered"] == 1
        newest = log["items"][0]
        assert (newest["event_type"], newest["status"], newest["attempt"]) == ("shipment.created", 200, 1)
        assert newest["response_excerpt"] == "ok" and newest["latency_ms"] >= 0
        replay = await merchant.post(f"/v1/webhook-endpoints/{eid}/replay", json={"since": "2000-01-01T00:00:00Z"})
        assert replay.json() == {"queued": 1}
        assert await dispatcher.run_once() == 1
        one = await merchant.post(f"/v1/webhook-endpoints/{eid}/deliveries/{newest['delivery_id']}/replay")
        assert one.json() == {"queued": 1}
        assert await dispatcher.run_once() == 1
    ids = [r.webhook_id for r in state.received if r.payload and r.payload["type"] == "shipment.created"]
    assert len(ids) == 3 and len(set(ids)) == 1
    assert Webhook(created["secret"]).verify(state.received[-1].body, state.received[-1].headers)
    bad = await merchant.post(f"/v1/webhook-endpoints/{eid}/replay", json={"since": "2999-01-01T00:00:00Z"})
    assert bad.status_code == 422
