"""The real API app on a fresh database with two merchants, their data and tokens of every scope."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI

from parcelsync.db.crypto import generate_key
from parcelsync.db.engine import unit_of_work
from parcelsync.security.tokens import Scope, create_token
from parcelsync.settings import Settings

ALPHA, BRAVO = "alpha", "bravo"
UPS = "1Z5R89390357567127"
BRAVO_UPS = "1Z999AA10123456784"
BRAVO_MARKERS = ("Bravo Marker Corp", "bravo-customer@bravo.example", "BRAVO-ORDER-77", BRAVO_UPS, "pi_bravo_marker")


@dataclass(frozen=True)
class World:
    app: FastAPI
    admin: str
    alpha_write: str
    alpha_read: str
    bravo_write: str
    bravo_shipment: int
    alpha_shipment: int
    bravo_endpoint: int = 0


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, secret_key=generate_key(), auto_migrate=False, max_body_bytes=50_000)


@pytest.fixture
async def http(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        yield client


async def issue(app: FastAPI, scope: Scope, merchant_id: str | None = None) -> str:
    async with unit_of_work(app.state.runtime.sessions) as session:
        return (await create_token(session, scope=scope, merchant_id=merchant_id, name="tests")).secret


async def _ok(response: httpx.Response) -> dict[str, object]:
    assert response.status_code in (200, 201), response.text
    return response.json()  # type: ignore[no-any-return]


@pytest.fixture
async def world(app: FastAPI, http: httpx.AsyncClient) -> World:
    """alpha and bravo, each with a shipment; bravo also with a connection and a carrier override."""
    admin = await issue(app, Scope.ADMIN)
    h = bearer(admin)
    await _ok(await http.post("/v1/merchants", json={"id": ALPHA, "name": "Alpha Ltd"}, headers=h))
    await _ok(await http.post("/v1/merchants", json={"id": BRAVO, "name": "Bravo Marker Corp"}, headers=h))
    creds = {"api_key": "bravo-trackingmore-key-0001"}
    await _ok(await http.put(f"/v1/merchants/{BRAVO}/connections/trackingmore", json={"credentials": creds}, headers=h))
    override = f"/v1/merchants/{BRAVO}/carrier-overrides/trackingmore/ups"
    await _ok(await http.put(override, json={"code": "ups-b"}, headers=h))
    bravo_ship = await _ok(
        await http.post(
            "/v1/shipments",
            json={
                "tracking_number": BRAVO_UPS, "order_id": "BRAVO-ORDER-77", "fulfillment_id": "f1",
                "payment_intent_id": "pi_bravo_marker", "customer_email": "bravo-customer@bravo.example",
            },
            headers={**h, "X-Merchant-Id": BRAVO},
        )
    )
    alpha_ship = await _ok(
        await http.post("/v1/shipments", json={"tracking_number": UPS}, headers={**h, "X-Merchant-Id": ALPHA})
    )
    bravo_hook = await _ok(
        await http.post(
            "/v1/webhook-endpoints", json={"url": "https://hooks.bravo.example/in", "description": "Bravo Marker hook"},
            headers={**h, "X-Merchant-Id": BRAVO},
        )
    )
    return World(
        app=app,
        admin=admin,
        alpha_write=await issue(app, Scope.WRITE, ALPHA),
        alpha_read=await issue(app, Scope.READ, ALPHA),
        bravo_write=await issue(app, Scope.WRITE, BRAVO),
        bravo_shipment=int(bravo_ship["id"]),  # type: ignore[call-overload]
        alpha_shipment=int(alpha_ship["id"]),  # type: ignore[call-overload]
        bravo_endpoint=int(bravo_hook["id"]),  # type: ignore[call-overload]
    )
