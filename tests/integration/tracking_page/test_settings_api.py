"""The tracking page settings through the API: validation, defaults, tenancy, and tracking_page_links' rule."""

from __future__ import annotations

import pytest
from tests.integration.tracking_page.conftest import MERCHANT, OTHER, Site

from parcelsync.db.engine import unit_of_work
from parcelsync.security.tokens import Scope, create_token

pytestmark = pytest.mark.anyio


async def test_put_and_get_the_page(site: Site) -> None:
    body = {
        "display_name": "Northwind",
        "logo_url": "https://cdn.northwind.example/logo.png",
        "accent_color": "#AA3300",
        "support_email": "Help@Northwind.example",
        "message": "Hello",
        "cors_origins": ["https://Shop.Northwind.example"],
        "frame_ancestors": [],
        "tracking_page_links": True,
    }
    put = await site.client.put(f"/v1/merchants/{MERCHANT}/tracking-page", headers=site.admin_headers, json=body)
    assert put.status_code == 200, put.text
    got = (await site.client.get(f"/v1/merchants/{MERCHANT}/tracking-page", headers=site.admin_headers)).json()
    assert got["accent_color"] == "#aa3300"
    assert got["cors_origins"] == ["https://shop.northwind.example"]
    assert got["tracking_page_links"] is True
    assert got["lookup_url"] == f"https://track.example.com/track/{MERCHANT}"
    fresh = (await site.client.get(f"/v1/merchants/{OTHER}/tracking-page", headers=site.admin_headers)).json()
    assert fresh["tracking_page_links"] is False and fresh["display_name"] is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("logo_url", "http://cdn.example/logo.png"),
        ("accent_color", "red"),
        ("support_email", "not-an-email"),
        ("cors_origins", ["https://shop.example/path"]),
        ("frame_ancestors", ["*"]),
        ("message", "x" * 501),
        ("colour", "#000000"),
    ],
)
async def test_bad_input_names_the_field(site: Site, field: str, value: object) -> None:
    response = await site.client.put(
        f"/v1/merchants/{MERCHANT}/tracking-page", headers=site.admin_headers, json={field: value}
    )
    assert response.status_code == 422
    assert field in {f["field"].split(".")[0] for f in response.json()["error"]["fields"]}


async def test_links_are_refused_without_a_public_base_url(sqlite_site: Site) -> None:
    response = await sqlite_site.client.put(
        f"/v1/merchants/{MERCHANT}/tracking-page", headers=sqlite_site.admin_headers, json={"tracking_page_links": True}
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["fields"][0]["field"] == "tracking_page_links"
    assert "PARCELSYNC_PUBLIC_BASE_URL" in error["message"]
    off = await sqlite_site.client.put(
        f"/v1/merchants/{MERCHANT}/tracking-page", headers=sqlite_site.admin_headers, json={"display_name": "N"}
    )
    assert off.status_code == 200


async def test_a_merchant_token_reaches_only_its_own_page(site: Site) -> None:
    async with unit_of_work(site.app.state.runtime.sessions) as session:
        token = (await create_token(session, scope=Scope.WRITE, merchant_id=MERCHANT, name="m")).secret
    headers = {"Authorization": f"Bearer {token}"}
    own = await site.client.put(f"/v1/merchants/{MERCHANT}/tracking-page", headers=headers, json={"message": "hi"})
    assert own.status_code == 200
    other = await site.client.put(f"/v1/merchants/{OTHER}/tracking-page", headers=headers, json={"message": "hi"})
    assert other.status_code == 404
    assert (await site.client.get(f"/v1/merchants/{MERCHANT}/tracking-page")).status_code == 401
