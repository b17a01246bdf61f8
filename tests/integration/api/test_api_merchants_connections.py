"""Merchants, connections (credentials write-only), carrier overrides, health and docs through the API."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from parcelsync.db.tables import SyncTargetRow

pytestmark = pytest.mark.anyio

USEEPAY = {"merchant_no": "500000123", "app_id": "shop.example", "api_key": "UseePay_SK_live_topsecret99"}
SHOPLINE = {"handle": "acme-store", "access_token": "shpat_0123456789abcdefSECRET"}
TRACKINGMORE = {"api_key": "tm-key-abcdef0123456789SECRET"}
SECRETS = ("UseePay_SK_live_topsecret99", "shpat_0123456789abcdefSECRET", "tm-key-abcdef0123456789SECRET")


def assert_no_secret(response: httpx.Response) -> None:
    for secret in SECRETS:
        assert secret not in response.text


async def test_merchant_crud(client: httpx.AsyncClient) -> None:
    created = await client.post("/v1/merchants", json={"name": "  Acme Ltd "})
    assert created.status_code == 201
    merchant_id = created.json()["id"]
    assert created.json()["name"] == "Acme Ltd"
    assert (await client.get(f"/v1/merchants/{merchant_id}")).json()["name"] == "Acme Ltd"
    renamed = await client.patch(f"/v1/merchants/{merchant_id}", json={"name": "Acme"})
    assert renamed.json()["name"] == "Acme"
    assert (await client.get("/v1/merchants/nope")).status_code == 404
    duplicate = await client.post("/v1/merchants", json={"id": merchant_id, "name": "again"})
    assert duplicate.status_code == 409 and duplicate.json()["error"]["fields"][0]["field"] == "id"
    bad_id = await client.post("/v1/merchants", json={"id": "has space", "name": "x"})
    assert bad_id.status_code == 422 and bad_id.json()["error"]["fields"][0]["field"] == "id"


async def test_merchant_list_pages(client: httpx.AsyncClient) -> None:
    for i in range(5):
        await client.post("/v1/merchants", json={"id": f"m{i}", "name": f"M{i}"})
    seen, cursor = [], None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = (await client.get("/v1/merchants", params=params)).json()
        seen += [m["id"] for m in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["m0", "m1", "m2", "m3", "m4"]


@pytest.mark.parametrize(
    ("provider", "credentials", "base_url"),
    [
        ("useepay", USEEPAY, "https://openapi.useepay.com"),
        ("shopline", SHOPLINE, "https://acme-store.myshopline.com"),
        ("trackingmore", TRACKINGMORE, "https://api.trackingmore.com/v2"),
    ],
)
async def test_connection_defaults_and_credentials_are_never_returned(
    merchant: httpx.AsyncClient, provider: str, credentials: dict[str, str], base_url: str
) -> None:
    url = f"/v1/merchants/acme/connections/{provider}"
    created = await merchant.put(url, json={"credentials": credentials})
    assert created.status_code == 201, created.text
    assert created.json()["base_url"] == base_url
    public = {"merchant_no", "handle"}  # identifiers, shown in full; every secret is masked
    shown = created.json()["credentials"]
    assert all(value.startswith("••••") for name, value in shown.items() if name not in public)
    assert all(shown[name] == credentials[name] for name in public & set(credentials))
    assert set(created.json()["credentials"]) == set(credentials)
    responses = [
        created,
        await merchant.get(url),
        await merchant.get("/v1/merchants/acme/connections"),
        await merchant.patch(url, json={"base_url": "http://127.0.0.1:9000/"}),
        await merchant.put(url, json={"base_url": "http://sandbox.local"}),
    ]
    for response in responses:
        assert response.status_code == 200 or response is created, response.text
        assert_no_secret(response)
    assert responses[3].json()["base_url"] == "http://127.0.0.1:9000"
    assert responses[4].json()["credentials"] == created.json()["credentials"]


async def test_shopline_options_are_validated_and_defaulted(merchant: httpx.AsyncClient) -> None:
    url = "/v1/merchants/acme/connections/shopline"
    created = await merchant.put(url, json={"credentials": SHOPLINE})
    assert created.json()["options"].items() >= {"api_version": "v20260301", "notify_customer": False}.items()
    changed = await merchant.patch(url, json={"options": {"api_version": "v20250601", "notify_customer": True}})
    assert changed.json()["options"].items() >= {"api_version": "v20250601", "notify_customer": True}.items()
    bad = await merchant.patch(url, json={"options": {"api_version": "v2024"}})
    assert bad.status_code == 422 and bad.json()["error"]["fields"][0]["field"] == "options.api_version"
    unknown = await merchant.patch(url, json={"options": {"colour": "red"}})
    assert unknown.status_code == 422 and unknown.json()["error"]["fields"][0]["field"] == "options.colour"


async def test_missing_and_unknown_credentials_name_the_field(merchant: httpx.AsyncClient) -> None:
    url = "/v1/merchants/acme/connections/useepay"
    missing = await merchant.put(url, json={"credentials": {"merchant_no": "1", "app_id": "a"}})
    assert missing.status_code == 422
    assert [f["field"] for f in missing.json()["error"]["fields"]] == ["credentials.api_key"]
    unknown = await merchant.put(url, json={"credentials": {**USEEPAY, "password": "x"}})
    assert unknown.json()["error"]["fields"][0]["field"] == "credentials.password"
    assert_no_secret(unknown)
    bad_url = await merchant.put(url, json={"credentials": USEEPAY, "base_url": "ftp://x"})
    assert bad_url.json()["error"]["fields"][0]["field"] == "base_url"
    assert (await merchant.put("/v1/merchants/acme/connections/nosuchprovider", json={})).status_code == 422
    assert (await merchant.get(url)).status_code == 404


async def test_creating_a_connection_plans_existing_shipments(app, merchant: httpx.AsyncClient) -> None:  # type: ignore[no-untyped-def]
    await merchant.post("/v1/shipments", json={"tracking_number": "1Z5R89390357567127", "payment_intent_id": "pi_1"})
    await merchant.put("/v1/merchants/acme/connections/useepay", json={"credentials": USEEPAY})
    async with app.state.runtime.sessions() as session:
        rows = (await session.execute(select(SyncTargetRow.provider, SyncTargetRow.target_key))).all()
    assert [tuple(r) for r in rows] == [("useepay", "pi_1")]


async def test_carrier_overrides(merchant: httpx.AsyncClient) -> None:
    carriers = (await merchant.get("/v1/carriers")).json()
    assert len(carriers) >= 40 and {"code", "trackingmore", "useepay", "shopline"} <= set(carriers[0])
    url = "/v1/merchants/acme/carrier-overrides"
    put = await merchant.put(f"{url}/shopline/fourpx", json={"code": "4PX Worldwide"})
    assert put.json() == {"provider": "shopline", "carrier": "4px", "code": "4PX Worldwide"}
    assert (await merchant.get(url)).json() == [put.json()]
    assert (await merchant.delete(f"{url}/shopline/4PX")).status_code == 204
    assert (await merchant.delete(f"{url}/shopline/4PX")).status_code == 404
    assert (await merchant.put(f"{url}/shopline/---", json={"code": "x"})).status_code == 422


async def test_health_ready_and_docs(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    assert (await client.get("/readyz")).json() == {"status": "ready"}
    schema = (await client.get("/openapi.json")).json()
    assert {"/v1/shipments", "/v1/shipments/batch", "/v1/merchants/{merchant_id}/connections/{provider}"} <= set(
        schema["paths"]
    )
    assert (await client.get("/docs")).status_code == 200
