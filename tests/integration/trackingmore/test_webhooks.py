"""Clock advance -> status change -> signed v2 webhook delivered in process and verified."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from tests.integration.trackingmore.tm_support import BASE, regs

from parcelsync.providers.trackingmore.client import TrackingMoreClient
from parcelsync.providers.trackingmore.webhook import WebhookVerificationError, parse_webhook, verify_webhook
from parcelsync.sandbox.trackingmore import TrackingMoreState, create_app

EMAIL = "ops@merchant.test"
KEY = "merchant-key-0123456789"


class Receiver:
    """A webhook endpoint that records bodies and fails the first `fail_first` deliveries."""

    def __init__(self, fail_first: int = 0) -> None:
        self.bodies: list[bytes] = []
        self.fail_first = fail_first
        self.app = Starlette(routes=[Route("/hook", self.hook, methods=["POST"])])

    async def hook(self, request: Request) -> JSONResponse:
        body = await request.body()
        if self.fail_first > 0:
            self.fail_first -= 1
            return JSONResponse({"error": "busy"}, status_code=503)
        self.bodies.append(body)
        return JSONResponse({"ok": True})


async def setup(receiver: Receiver, **app_kw: Any) -> AsyncIterator[tuple[httpx.AsyncClient, TrackingMoreClient]]:
    state = TrackingMoreState(seed=3, start=1_700_000_000.0)
    hooks = httpx.AsyncClient(transport=httpx.ASGITransport(app=receiver.app), base_url="http://merchant.test")
    app = create_app(state, webhook_client=hooks, webhook_backoff_s=0, **app_kw)
    async with hooks, httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as http:
        added = await http.post("/_sandbox/accounts", json={
            "api_key": KEY, "email": EMAIL, "webhook_url": "http://merchant.test/hook",
        })
        assert added.status_code == 201 and KEY not in added.text
        yield http, TrackingMoreClient(http, base_url=f"{BASE}/v2", api_key=KEY, list_rate_per_s=0)


@pytest.mark.anyio
async def test_status_change_pushes_a_verifiable_webhook() -> None:
    receiver = Receiver()
    async for http, client in setup(receiver):
        await client.batch_create(regs(5))
        assert receiver.bodies == []

        advanced = (await http.post("/_sandbox/clock/advance", json={"seconds": 7 * 3600})).json()

        assert len(advanced["changes"]) == 5 and {c["status"] for c in advanced["changes"]} == {"transit"}
        assert len(receiver.bodies) == 5
        for body in receiver.bodies:
            verify_webhook(body, EMAIL)
            payload = json.loads(body)
            assert set(payload) == {"meta", "data", "verifyInfo"}
            update = parse_webhook(body)
            assert update.raw_status == "transit"
            current = await client.get_tracking(update.carrier_code, update.tracking_number)
            assert current.status is update.status
            assert update.checkpoints and update.received_at is not None


@pytest.mark.anyio
async def test_journeys_finish_with_final_statuses_and_webhooks() -> None:
    receiver = Receiver()
    async for http, client in setup(receiver):
        await client.batch_create(regs(40))
        for _ in range(12):
            await http.post("/_sandbox/clock/advance", json={"seconds": 3 * 86400})
        statuses = {json.loads(b)["data"]["status"] for b in receiver.bodies}
        assert {"transit", "pickup", "delivered"} <= statuses
        assert statuses & {"exception", "undelivered", "expired"}
        final = [u async for u in client.iter_trackings(limit=100)]
        assert all(u.raw_status in {"delivered", "exception", "undelivered", "expired"} for u in final)


@pytest.mark.anyio
async def test_tampered_webhook_is_refused() -> None:
    receiver = Receiver()
    async for http, client in setup(receiver):
        await client.batch_create(regs(1))
        await http.post("/_sandbox/clock/advance", json={"seconds": 7 * 3600})
        payload = json.loads(receiver.bodies[0])
        payload["verifyInfo"]["signature"] = payload["verifyInfo"]["signature"][::-1]
        with pytest.raises(WebhookVerificationError):
            verify_webhook(payload, EMAIL)
        with pytest.raises(WebhookVerificationError):
            verify_webhook(receiver.bodies[0], "attacker@evil.test")


@pytest.mark.anyio
async def test_non_2xx_answers_are_retried_a_bounded_number_of_times() -> None:
    receiver = Receiver(fail_first=2)
    async for http, client in setup(receiver):
        await client.batch_create(regs(1))
        report = (await http.post("/_sandbox/clock/advance", json={"seconds": 7 * 3600})).json()["webhooks"][0]
        assert report["delivered"] and report["attempts"] == 3 and report["responses"] == [503, 503, 200]
        assert len(receiver.bodies) == 1

    stubborn = Receiver(fail_first=100)
    async for http, client in setup(stubborn, webhook_max_attempts=4):
        await client.batch_create(regs(1))
        report = (await http.post("/_sandbox/clock/advance", json={"seconds": 7 * 3600})).json()["webhooks"][0]
        assert not report["delivered"] and report["attempts"] == 4
        assert (await http.get("/_sandbox/webhooks")).json() == [report]
