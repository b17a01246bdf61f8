"""Bearer tokens on the real API: 401 without one, scopes, admin rules, revocation, open routes."""

from __future__ import annotations

import httpx
import pytest

from parcelsync.api import create_app
from parcelsync.db.crypto import SecretKeyError
from parcelsync.db.engine import unit_of_work
from parcelsync.security.tokens import revoke_token, verify_token
from parcelsync.settings import Settings

from .conftest import ALPHA, BRAVO, UPS, World, bearer
from .routes import endpoints

pytestmark = pytest.mark.anyio


def values(world: World) -> dict[str, object]:
    return {"merchant_id": ALPHA, "shipment_id": world.alpha_shipment, "provider": "trackingmore", "carrier": "ups",
            "endpoint_id": 999999, "delivery_id": 999999, "alert_id": 999999,
            "intent_id": "pi_alpha", "order_id": "alpha-order"}  # fmt: skip


@pytest.mark.parametrize("auth", [None, "Bearer", "Bearer pst_not-a-real-token", "Basic YWRtaW46YWRtaW4=", "pst_x"])
async def test_every_v1_route_needs_a_valid_token(world: World, http: httpx.AsyncClient, auth: str | None) -> None:
    headers = {"Authorization": auth} if auth else {}
    for ep in endpoints(world.app):
        response = await http.request(ep.method, ep.url(values(world)), json={}, headers=headers)
        assert response.status_code == 401, f"{ep}: {response.status_code}"
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json()["error"]["code"] == "unauthorized"


async def test_revoked_token_is_refused(world: World, http: httpx.AsyncClient) -> None:
    assert (await http.get("/v1/shipments", headers=bearer(world.alpha_write))).status_code == 200
    async with unit_of_work(world.app.state.runtime.sessions) as session:
        principal = await verify_token(session, world.alpha_write)
        assert principal is not None
        assert await revoke_token(session, principal.token_id)
    response = await http.get("/v1/shipments", headers=bearer(world.alpha_write))
    assert response.status_code == 401 and "revoked" in response.json()["error"]["message"]


async def test_read_token_may_only_read(world: World, http: httpx.AsyncClient) -> None:
    headers = bearer(world.alpha_read)
    writes = [ep for ep in endpoints(world.app) if ep.method != "GET"]
    assert len(writes) >= 10
    for ep in writes:
        response = await http.request(ep.method, ep.url(values(world)), json={}, headers=headers)
        assert response.status_code == 403, f"{ep}: {response.status_code} {response.text}"
    listing = await http.get("/v1/shipments", headers=headers)
    assert listing.status_code == 200 and [s["tracking_number"] for s in listing.json()["items"]] == [UPS]
    assert (await http.get(f"/v1/shipments/{world.alpha_shipment}", headers=headers)).status_code == 200


async def test_merchant_token_acts_for_its_own_merchant(world: World, http: httpx.AsyncClient) -> None:
    headers = bearer(world.alpha_write)
    created = await http.post("/v1/shipments", json={"tracking_number": "1Z999AA10123456784"}, headers=headers)
    assert created.status_code == 201, created.text
    same = await http.post(
        "/v1/shipments", json={"tracking_number": "1Z999AA10123456784"}, headers={**headers, "X-Merchant-Id": ALPHA}
    )
    assert same.status_code == 200 and same.json()["id"] == created.json()["id"]
    assert (await http.get(f"/v1/merchants/{ALPHA}", headers=headers)).json()["name"] == "Alpha Ltd"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/v1/merchants", None),
        ("POST", "/v1/merchants", {"name": "Mine"}),
        ("PATCH", f"/v1/merchants/{ALPHA}", {"name": "Alpha Two"}),
        ("PUT", f"/v1/merchants/{ALPHA}/connections/trackingmore", {"credentials": {"api_key": "k" * 32}}),
        ("PATCH", f"/v1/merchants/{ALPHA}/connections/trackingmore", {"enabled": False}),
    ],
)
async def test_admin_only_routes(
    world: World, http: httpx.AsyncClient, method: str, path: str, body: object
) -> None:
    denied = await http.request(method, path, json=body, headers=bearer(world.alpha_write))
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "insufficient_scope"
    if method == "PATCH" and "connections" in path:
        await http.put(path, json={"credentials": {"api_key": "k" * 32}}, headers=bearer(world.admin))
    allowed = await http.request(method, path, json=body, headers=bearer(world.admin))
    assert allowed.status_code in (200, 201), allowed.text


async def test_admin_token_chooses_the_merchant(world: World, http: httpx.AsyncClient) -> None:
    headers = bearer(world.admin)
    missing = await http.get("/v1/shipments", headers=headers)
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "merchant_required"
    bravo = await http.get("/v1/shipments", headers={**headers, "X-Merchant-Id": BRAVO})
    assert [s["id"] for s in bravo.json()["items"]] == [world.bravo_shipment]
    merchants = await http.get("/v1/merchants", headers=headers)
    assert {m["id"] for m in merchants.json()["items"]} == {ALPHA, BRAVO}


async def test_probes_and_webhooks_need_no_token(world: World, http: httpx.AsyncClient) -> None:
    assert (await http.get("/healthz")).status_code == 200
    assert (await http.get("/readyz")).status_code == 200
    hook = await http.post(f"/v1/webhooks/trackingmore/{ALPHA}", content=b"{}")
    assert hook.status_code != 401


async def test_missing_secret_key_is_a_startup_error(sqlite_database_url: str) -> None:
    with pytest.raises(SecretKeyError, match="PARCELSYNC_SECRET_KEY is not set"):
        create_app(Settings(database_url=sqlite_database_url, secret_key=None, demo_mode=False))
    with pytest.raises(SecretKeyError, match="not a valid Fernet key"):
        create_app(Settings(database_url=sqlite_database_url, secret_key="too-short"))
    assert create_app(Settings(database_url=sqlite_database_url, secret_key=None, demo_mode=True)) is not None
