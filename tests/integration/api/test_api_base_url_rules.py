"""Base URLs through the API: no user info ever, internal hosts only when the setting allows them;
credentials shown as people should see them (short secrets fully masked, identifiers in full)."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

pytestmark = pytest.mark.anyio

URL = "/v1/merchants/acme/connections/shopline"
SHOPLINE = {"handle": "acme-store", "access_token": "shpat_short"}


def _strict(app: FastAPI) -> None:
    """This app as a production hub: private base URLs refused (the test suite allows them by default)."""
    object.__setattr__(app.state.runtime.settings, "allow_private_base_urls", False)


@pytest.mark.parametrize(
    "base_url", ["http://user:pass@shop.example.com", "https://token@shop.example.com/v1", "http://:pw@h.example"]
)
async def test_user_info_in_a_base_url_is_refused_naming_base_url(merchant: httpx.AsyncClient, base_url: str) -> None:
    answer = await merchant.put(URL, json={"credentials": SHOPLINE, "base_url": base_url})
    assert answer.status_code == 422, answer.text
    assert [f["field"] for f in answer.json()["error"]["fields"]] == ["base_url"]
    assert "pass" not in answer.text and "token@" not in answer.text


@pytest.mark.parametrize(
    "base_url",
    ["http://127.0.0.1:9000", "http://localhost:8100/store", "http://10.0.0.7", "http://169.254.169.254/latest",
     "http://[::1]:8080", "http://192.168.1.20", "http://0.0.0.0"],
)  # fmt: skip
async def test_internal_base_urls_need_the_setting(app: FastAPI, merchant: httpx.AsyncClient, base_url: str) -> None:
    _strict(app)
    refused = await merchant.put(URL, json={"credentials": SHOPLINE, "base_url": base_url})
    assert refused.status_code == 422, refused.text
    assert [f["field"] for f in refused.json()["error"]["fields"]] == ["base_url"]
    object.__setattr__(app.state.runtime.settings, "allow_private_base_urls", True)
    allowed = await merchant.put(URL, json={"credentials": SHOPLINE, "base_url": base_url})
    assert allowed.status_code == 201, allowed.text


async def test_a_public_base_url_is_accepted_without_the_setting(app: FastAPI, merchant: httpx.AsyncClient) -> None:
    _strict(app)
    answer = await merchant.put(URL, json={"credentials": SHOPLINE, "base_url": "https://{handle}.myshopline.com"})
    assert answer.status_code == 201, answer.text


async def test_short_secrets_show_nothing_long_ones_their_tail_identifiers_in_full(merchant: httpx.AsyncClient) -> None:
    credentials = {"handle": "acme-store", "access_token": "shpat_8chars", "app_secret": "app-secret-0123456789-WXYZ"}
    answer = await merchant.put(URL, json={"credentials": credentials})
    assert answer.status_code == 201, answer.text
    assert answer.json()["credentials"] == {"access_token": "••••", "app_secret": "••••WXYZ", "handle": "acme-store"}
    listed = await merchant.get("/v1/merchants/acme/connections")
    assert listed.json()[0]["credentials"]["handle"] == "acme-store"
