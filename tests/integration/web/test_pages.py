"""Every dashboard page renders for a logged-in operator, scoped to the chosen merchant, without secrets."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from tests.integration.web.conftest import Dash
from tests.integration.web.seed_data import OTHER, PARKED_REASON, SECRET_API_KEY

pytestmark = pytest.mark.anyio


async def test_overview_shows_counts_health_paused_and_chart_data(logged_in: Dash) -> None:
    page = await logged_in.client.get("/dashboard/")
    assert page.status_code == 200
    html = page.text
    assert "Parcels by delivery status" in html
    assert f"{logged_in.seeded.total} parcels" in html
    assert "UseePay" in html and "TrackingMore" in html and "SHOPLINE" in html
    assert "rate limited (429)" in html
    assert 'id="chart-data"' in html and '"median"' in html
    assert "/dashboard/static/vendor/chart-4.6.1.umd.min.js" in html


async def test_static_assets_are_served_from_the_package(logged_in: Dash) -> None:
    for path in ("vendor/htmx-2.0.11.min.js", "vendor/chart-4.6.1.umd.min.js", "app.css", "app.js"):
        response = await logged_in.client.get(f"/dashboard/static/{path}")
        assert response.status_code == 200, path
        assert len(response.content) > 500


@pytest.mark.parametrize(
    ("field", "label"), [("tracking_number", "number"), ("order_id", "order"), ("payment_intent_id", "intent"),
                         ("customer_email", "email")],
)  # fmt: skip
async def test_search_finds_the_parcel_by_each_key(logged_in: Dash, field: str, label: str) -> None:
    value = getattr(logged_in.seeded, field)
    page = await logged_in.client.get("/dashboard/shipments", params={"q": value})
    assert page.status_code == 200
    assert f"/dashboard/shipments/{logged_in.seeded.shipment_id}" in page.text, label
    assert page.text.count('href="/dashboard/shipments/') == 1


async def test_search_for_an_unknown_value_says_nothing_matches(logged_in: Dash) -> None:
    page = await logged_in.client.get("/dashboard/shipments", params={"q": "NO-SUCH-THING"})
    assert "No shipments match" in page.text


async def test_keyset_pages_cover_every_shipment_once(logged_in: Dash) -> None:
    seen: list[str] = []
    params: dict[str, str] = {}
    for _ in range(10):
        page = await logged_in.client.get("/dashboard/shipments", params=params)
        ids = [line.split('"')[0] for line in page.text.split('href="/dashboard/shipments/')[1:]]
        seen.extend(i for i in ids if i.isdigit())
        found = re.search(r'[?&;]after=([^"&]+)"', page.text)
        if found is None:
            break
        params = {"after": unquote(found.group(1))}
    assert len(seen) == logged_in.seeded.total
    assert len(set(seen)) == len(seen)


async def test_destination_filter_lists_only_parked_useepay_parcels(logged_in: Dash) -> None:
    page = await logged_in.client.get("/dashboard/shipments", params={"destination": "useepay:parked"})
    rows = page.text.count('href="/dashboard/shipments/')
    assert rows == logged_in.seeded.parked_count
    assert f"/dashboard/shipments/{logged_in.seeded.shipment_id}" in page.text


async def test_status_filter(logged_in: Dash) -> None:
    page = await logged_in.client.get("/dashboard/shipments", params={"status": "in_transit"})
    assert 'class="badge status-in_transit"' in page.text
    assert 'class="badge status-delivered"' not in page.text


async def test_detail_shows_timeline_history_and_redacted_destination_state(logged_in: Dash) -> None:
    seeded = logged_in.seeded
    page = await logged_in.client.get(f"/dashboard/shipments/{seeded.shipment_id}")
    assert page.status_code == 200
    html = page.text
    assert "Departed from the sorting centre" in html
    assert "Status history" in html and "via test" in html
    assert PARKED_REASON in html
    assert "/api/v2/shipping/trackers" in html
    assert SECRET_API_KEY not in html
    assert "***" in html
    assert f"/dashboard/targets/{seeded.parked_target_id}/retry" in html


async def test_other_merchants_shipment_is_not_found_under_the_first(logged_in: Dash) -> None:
    other = await logged_in.client.get("/dashboard/shipments", params={"merchant": OTHER})
    first_id = other.text.split('href="/dashboard/shipments/')[1].split('"')[0]
    assert "Blue Harbor Outfitters" in other.text
    back = await logged_in.client.get(f"/dashboard/shipments/{logged_in.seeded.shipment_id}")
    assert back.status_code == 404
    mine = await logged_in.client.get(f"/dashboard/shipments/{first_id}")
    assert mine.status_code == 200


async def test_problems_groups_by_reason(logged_in: Dash) -> None:
    page = await logged_in.client.get("/dashboard/problems")
    assert PARKED_REASON in page.text
    assert "quota exhausted" in page.text
    assert f"Retry {logged_in.seeded.parked_count}" in page.text


async def test_connections_mask_credentials(logged_in: Dash) -> None:
    page = await logged_in.client.get("/dashboard/connections")
    assert page.status_code == 200
    assert SECRET_API_KEY not in page.text
    assert "shpat_secret_token_abcd" not in page.text
    assert "••••9f3a" in page.text
    assert "API key" in page.text
    assert "Test connection" in page.text
    assert "Paused until" in page.text
