"""Pure rules of the tracking page: the progress bar, CSP/CORS headers, accent contrast, the tracking_url choice."""

from __future__ import annotations

import pytest

from parcelsync.connectors.record import Kind
from parcelsync.domain.models import Shipment
from parcelsync.domain.status import DeliveryStatus
from parcelsync.security.order_tokens import OrderTokens
from parcelsync.sync.tracking_links import PageLinker, tracking_url_for, with_page_links
from parcelsync.tracking_page.headers import (
    accent_colours,
    content_security_policy,
    cors_headers,
    normalise_origin,
)
from parcelsync.tracking_page.progress import Marker, Step, progress_of


@pytest.mark.parametrize(
    ("status", "step", "marker"),
    [
        (DeliveryStatus.PENDING, Step.SHIPPED, None),
        (DeliveryStatus.IN_TRANSIT, Step.IN_TRANSIT, None),
        (DeliveryStatus.EXCEPTION, Step.IN_TRANSIT, Marker.EXCEPTION),
        (DeliveryStatus.FAILED_ATTEMPT, Step.OUT_FOR_DELIVERY, Marker.FAILED_ATTEMPT),
        (DeliveryStatus.OUT_FOR_DELIVERY, Step.OUT_FOR_DELIVERY, None),
        (DeliveryStatus.DELIVERED, Step.DELIVERED, None),
        (DeliveryStatus.EXPIRED, Step.IN_TRANSIT, Marker.EXPIRED),
    ],
)
def test_progress(status: DeliveryStatus, step: Step, marker: Marker | None) -> None:
    assert progress_of(status) == type(progress_of(status))(step, marker)


def test_step_states() -> None:
    failed = progress_of(DeliveryStatus.FAILED_ATTEMPT)
    assert [failed.state_of(s) for s in Step] == ["done", "done", "problem", "todo"]
    delivered = progress_of(DeliveryStatus.DELIVERED)
    assert {delivered.state_of(s) for s in Step} == {"done"}


def test_csp_is_strict_and_frames_only_listed_origins() -> None:
    csp = content_security_policy([], "abc")
    assert "frame-ancestors 'none'" in csp and "unsafe" not in csp and "default-src 'none'" in csp
    assert "frame-ancestors https://a.example https://b.example" in content_security_policy(
        ["https://a.example", "https://b.example"], "abc"
    )


def test_origins_and_cors() -> None:
    assert normalise_origin("HTTPS://Shop.Example.com/") == "https://shop.example.com"
    for bad in ("*", "https://x.example/path", "javascript:alert(1)", "https://x.example 'unsafe-inline'"):
        assert normalise_origin(bad) is None
    assert (
        cors_headers("https://a.example", ["https://a.example"])["Access-Control-Allow-Origin"] == "https://a.example"
    )
    assert "Access-Control-Allow-Origin" not in cors_headers("https://b.example", ["https://a.example"])
    assert "Access-Control-Allow-Origin" not in cors_headers(None, ["https://a.example"])


def test_text_on_the_accent_is_readable() -> None:
    assert accent_colours("#ffff00") == ("#ffff00", "#000000")
    assert accent_colours("#0b1f5f") == ("#0b1f5f", "#ffffff")
    assert accent_colours("javascript")[0] == "#1f5fbf"


def test_tracking_url_by_destination_kind() -> None:
    page, carrier = "https://track.example/track/m/t", "https://carrier.example/1"
    assert tracking_url_for(Kind.STORE, carrier, page) == page
    assert tracking_url_for(Kind.PAYMENT_GATEWAY, None, page) == page
    assert tracking_url_for(Kind.TRACKING_PROVIDER, carrier, page) == carrier
    assert tracking_url_for(Kind.STORE, carrier, None) == carrier


def test_with_page_links_only_for_parcels_with_an_order() -> None:
    linker = PageLinker("https://track.example", OrderTokens(["k"]))
    parcels = [
        Shipment("m", "N1", "ups", tracking_url="https://c/1", order_id="1001"),
        Shipment("m", "N2", "ups", tracking_url="https://c/2"),
    ]
    store = with_page_links(parcels, Kind.STORE, linker, "m")
    assert store[0].tracking_url == linker.page_url("m", "1001")
    assert store[0].tracking_url.startswith("https://track.example/track/m/")
    assert store[1].tracking_url == "https://c/2"
    assert with_page_links(parcels, Kind.TRACKING_PROVIDER, linker, "m") == tuple(parcels)


def test_the_most_restrictive_refusal_wins() -> None:
    from parcelsync.security.db_throttle import Decision
    from parcelsync.tracking_page.limits import address_key, refusal

    ok = Decision(True, 1, 10, None)
    assert refusal((ok, ok)) is None
    assert refusal((ok, Decision(False, 11, 10, 30.2))) == "31"
    assert refusal((Decision(False, 11, 10, 5), Decision(False, 11, 10, 300))) == "300"
    assert "203.0.113.7" not in address_key("203.0.113.7")
