"""Security headers on real answers of the app: API, dashboard, docs and the assets they load."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from tests.integration.security.conftest import World, bearer

pytestmark = pytest.mark.anyio


async def test_an_api_answer_with_a_token_carries_the_headers_and_is_not_stored(
    world: World, http: httpx.AsyncClient
) -> None:
    answer = await http.get("/v1/shipments", headers={**bearer(world.alpha_read), "X-Merchant-Id": "alpha"})
    assert answer.status_code == 200
    assert "script-src 'self'" in answer.headers["content-security-policy"]
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["cache-control"] == "no-store"
    assert "strict-transport-security" not in answer.headers


async def test_hsts_when_served_over_https(app: FastAPI) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://hub.example") as client:
        answer = await client.get("/healthz")
    assert answer.headers["strict-transport-security"].startswith("max-age=")
    assert "cache-control" not in answer.headers


async def test_dashboard_pages_are_not_stored_but_their_assets_are_cacheable(http: httpx.AsyncClient) -> None:
    login = await http.get("/dashboard/login")
    assert login.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in login.headers["content-security-policy"]
    asset = await http.get("/dashboard/static/app.js", headers={"Cookie": "ps_session=x"})
    assert asset.status_code == 200 and "cache-control" not in asset.headers


async def test_the_docs_come_from_the_package_and_name_no_other_host(http: httpx.AsyncClient) -> None:
    for path in ("/docs", "/redoc"):
        page = await http.get(path)
        assert page.status_code == 200
        assert "<script>" not in page.text and "http" not in page.text, path
        assert "script-src 'self'" in page.headers["content-security-policy"]
        for asset in (part.split('"')[0] for part in page.text.split('src="')[1:]):
            assert (await http.get(asset)).status_code == 200, asset
