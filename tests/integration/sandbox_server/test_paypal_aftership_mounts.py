"""PayPal and AfterShip in the combined sandbox server and alone at the root of their ports."""

from __future__ import annotations

import base64

import httpx
import pytest

from parcelsync.sandbox.aftership.models import DEMO_API_KEY
from parcelsync.sandbox.paypal.models import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET
from parcelsync.sandbox.server import SandboxProvider, create_app

pytestmark = pytest.mark.anyio
BASIC = "Basic " + base64.b64encode(f"{DEMO_CLIENT_ID}:{DEMO_CLIENT_SECRET}".encode()).decode()
FORM = {"grant_type": "client_credentials"}


def _client(app: object, base_url: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)  # type: ignore[arg-type]


async def test_combined_server_mounts_both() -> None:
    async with _client(create_app(), "http://127.0.0.1:8100") as http:
        index = (await http.get("/")).json()
        token = await http.post("/paypal/v1/oauth2/token", headers={"Authorization": BASIC}, data=FORM)
        couriers = await http.get("/aftership/tracking/2026-07/couriers", headers={"as-api-key": DEMO_API_KEY})
        admin = await http.get("/aftership/tracking/2026-07/_sandbox/state")
    assert index["paypal"] == "http://127.0.0.1:8100/paypal"
    assert index["aftership"] == "http://127.0.0.1:8100/aftership/tracking/2026-07"
    assert token.status_code == 200 and couriers.json()["meta"]["code"] == 200 and admin.status_code == 200


async def test_paypal_alone_at_the_root() -> None:
    async with _client(create_app(provider="paypal"), "http://127.0.0.1:8104") as http:
        token = await http.post("/v1/oauth2/token", headers={"Authorization": BASIC}, data=FORM)
        prefixed = await http.post("/paypal/v1/oauth2/token", headers={"Authorization": BASIC}, data=FORM)
    assert token.status_code == 200
    assert prefixed.status_code == 404 and prefixed.json()["name"] == "RESOURCE_NOT_FOUND"


async def test_aftership_alone_at_its_versioned_root() -> None:
    async with _client(create_app(provider=SandboxProvider.AFTERSHIP), "http://127.0.0.1:8105") as http:
        ok = await http.get("/tracking/2026-07/couriers", headers={"as-api-key": DEMO_API_KEY})
        outside = await http.get("/couriers", headers={"as-api-key": DEMO_API_KEY})
    assert ok.json()["meta"]["code"] == 200
    assert outside.status_code == 404 and outside.json()["meta"]["code"] == 404


def test_ports_and_base_urls() -> None:
    assert SandboxProvider.PAYPAL.default_port == 8104 and SandboxProvider.AFTERSHIP.default_port == 8105
    assert SandboxProvider.PAYPAL.base_url("http://h:1") == "http://h:1"
    assert SandboxProvider.AFTERSHIP.base_url("http://h:1/") == "http://h:1/tracking/2026-07"
    assert SandboxProvider.AFTERSHIP.admin_url("http://h:1") == "http://h:1/tracking/2026-07/_sandbox"
    assert SandboxProvider.PAYPAL.admin_url("http://h:1") == "http://h:1/_sandbox"
