"""The parcel as the page presents it: translated labels, the expected window, nothing private."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from parcelsync.connectors.carriers import default_registry
from parcelsync.db.tables import CheckpointRow, MerchantRow, ShipmentRow
from parcelsync.tracking_page.i18n import Localizer
from parcelsync.tracking_page.orders import ExpectedWindow, OrderView, email_matches, parcel_view
from parcelsync.tracking_page.present import branding, order_json, parcel_context


def _row(status: str) -> ShipmentRow:
    return ShipmentRow(
        id=1,
        merchant_id="m",
        tracking_number="1Z5R89390357567127",
        carrier="ups",
        status=status,
        order_id="1001",
        customer_email="olivia@example.com",
        customer_phone="+1 212 555 0199",
        customer_name="Olivia",
        destination_country="US",
        title="Shirt",
    )


def test_expected_window_is_shown_until_delivered() -> None:
    window = ExpectedWindow(date(2026, 12, 4), date(2026, 12, 8))
    loc = Localizer("fr", ZoneInfo("Europe/Paris"))
    moving = parcel_context(parcel_view(_row("in_transit"), [], default_registry(), window), loc)
    assert moving["expected_on"] == "4–8 déc. 2026" and moving["status_label"] == "En transit"
    done = parcel_view(_row("delivered"), [], default_registry(), window)
    assert done.expected_delivery is None


def test_json_carries_no_private_field() -> None:
    checkpoint = CheckpointRow(
        time=datetime(2026, 12, 1, 10, tzinfo=UTC), description="Arrived", location="NYC", status="in_transit"
    )
    parcel = parcel_view(
        _row("in_transit"), [checkpoint], default_registry(), ExpectedWindow(date(2026, 12, 4), date(2026, 12, 4))
    )
    body = order_json(
        OrderView("1001", "US", (parcel,)),
        branding(MerchantRow(id="m", name="M"), None),
        Localizer("en", ZoneInfo("UTC")),
        token="t",
        page_url="https://x/track/m/t",
    )
    text = str(body)
    for private in ("olivia", "555", "Olivia"):
        assert private not in text
    assert body["order"]["parcels"][0]["expected_delivery"] == {"earliest": "2026-12-04", "latest": "2026-12-04"}


def test_email_match_is_exact_and_case_insensitive() -> None:
    assert email_matches("Olivia@Example.com", " olivia@example.COM ")
    assert not email_matches("olivia@example.com", "olivia@example.co")
    assert not email_matches(None, "")
    assert not email_matches("", "")
