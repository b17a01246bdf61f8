"""The dashboard's Settings page: the tracking page's branding and options, saved and validated."""

from __future__ import annotations

import pytest
from tests.integration.web.conftest import Dash
from tests.integration.web.seed_data import MERCHANT

from parcelsync.db.engine import unit_of_work
from parcelsync.db.queries.tracking_pages import get_page

pytestmark = pytest.mark.anyio


async def test_settings_are_saved_and_shown_again(logged_in: Dash) -> None:
    page = await logged_in.client.get("/dashboard/settings")
    assert page.status_code == 200 and "Tracking page" in page.text and f"/track/{MERCHANT}" in page.text
    form = {
        "csrf_token": logged_in.csrf,
        "display_name": "Northwind",
        "accent_color": "#0B6E4F",
        "support_email": "help@northwind.example",
        "message": "Thanks!",
        "frame_ancestors": "https://shop.northwind.example\nhttps://blog.northwind.example",
        "cors_origins": "",
    }
    saved = await logged_in.client.post("/dashboard/settings", data=form)
    assert saved.status_code == 303
    shown = await logged_in.client.get(saved.headers["location"])
    assert "Saved." in shown.text and 'value="#0b6e4f"' in shown.text and "https://blog.northwind.example" in shown.text
    async with unit_of_work(logged_in.app.state.runtime.sessions) as session:
        row = await get_page(session, MERCHANT)
    assert row is not None and row.frame_ancestors == [
        "https://shop.northwind.example",
        "https://blog.northwind.example",
    ]
    assert row.tracking_page_links is False


async def test_bad_values_and_links_without_base_url_are_refused_with_the_reason(logged_in: Dash) -> None:
    bad = await logged_in.client.post(
        "/dashboard/settings", data={"csrf_token": logged_in.csrf, "logo_url": "http://x.example/l.png"}
    )
    assert bad.status_code == 422 and "logo_url" in bad.text and "https://" in bad.text
    links = await logged_in.client.post(
        "/dashboard/settings", data={"csrf_token": logged_in.csrf, "tracking_page_links": "on"}
    )
    assert links.status_code == 422 and "PARCELSYNC_PUBLIC_BASE_URL" in links.text
    forged = await logged_in.client.post("/dashboard/settings", data={"csrf_token": "nope", "message": "x"})
    assert forged.status_code == 403
