"""AfterShip mapping: slugs, tags and sub-statuses, tracking parsing, bodies, webhooks, rate limiting."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, date, datetime

import pytest

from parcelsync.connectors.carriers import default_registry
from parcelsync.domain.carrier_data import CARRIERS
from parcelsync.domain.models import Shipment
from parcelsync.domain.status import DeliveryStatus
from parcelsync.providers.aftership.carriers import AFTERSHIP_SLUGS, aftership_slug, canonical_for_slug
from parcelsync.providers.aftership.mapping import build_create_body, build_update_body, parse_page, parse_tracking
from parcelsync.providers.aftership.ratelimit import EndpointMeter, RateLimitHeaders
from parcelsync.providers.aftership.status import TAGS, map_tag
from parcelsync.providers.aftership.webhook import WebhookVerificationError, parse_webhook, sign, verify_webhook

REGISTRY = default_registry()


def test_slug_table_keys_are_canonical_carriers() -> None:
    assert set(AFTERSHIP_SLUGS) <= {c.code for c in CARRIERS}


@pytest.mark.parametrize(("carrier", "slug"), [
    ("ups", "ups"), ("DHL eCommerce", "dhl-global-mail"), ("deutsche post", "deutsch-post"), ("Evri", "hermes"),
    ("yamato", "taqbin-jp"), ("Unknown Local Co", None),
])
def test_slugs(carrier: str, slug: str | None) -> None:
    assert aftership_slug(carrier, REGISTRY) == slug


def test_slug_override_and_reverse() -> None:
    assert aftership_slug("Unknown Local Co", REGISTRY, {"unknownlocalco": "local-co"}) == "local-co"
    assert canonical_for_slug("deutsch-post") == "deutsche-post"
    assert canonical_for_slug("nope") is None


@pytest.mark.parametrize(("tag", "subtag", "expected"), [
    ("Pending", "Pending_001", DeliveryStatus.PENDING),
    ("InfoReceived", None, DeliveryStatus.INFO_RECEIVED),
    ("InTransit", "InTransit_004", DeliveryStatus.IN_TRANSIT),
    ("OutForDelivery", None, DeliveryStatus.OUT_FOR_DELIVERY),
    ("AttemptFail", "AttemptFail_001", DeliveryStatus.FAILED_ATTEMPT),
    ("AvailableForPickup", None, DeliveryStatus.AVAILABLE_FOR_PICKUP),
    ("Delivered", "Delivered_003", DeliveryStatus.DELIVERED),
    ("Exception", "Exception_010", DeliveryStatus.EXCEPTION),
    ("Expired", None, DeliveryStatus.EXPIRED),
    (None, "Delivered_005", DeliveryStatus.DELIVERED),  # the sub-status names its tag
    ("Teleported", None, DeliveryStatus.UNKNOWN),
    (None, None, DeliveryStatus.PENDING),
])
def test_tags_map_with_unknown_fallback(tag: str | None, subtag: str | None, expected: DeliveryStatus) -> None:
    assert map_tag(tag, subtag) is expected


def test_every_documented_tag_is_mapped() -> None:
    assert set(TAGS) == {"Pending", "InfoReceived", "InTransit", "OutForDelivery", "AttemptFail", "Delivered",
                         "AvailableForPickup", "Exception", "Expired"}


def test_create_and_update_bodies() -> None:
    shipment = Shipment("m1", "1Z5R89390357567127", "ups", title="Linen shirt", order_id="1001",
                        customer_name="Olivia", customer_email="olivia@example.com", ship_date=date(2026, 11, 30))
    assert build_create_body(shipment, REGISTRY) == {
        "tracking_number": "1Z5R89390357567127", "slug": "ups", "title": "Linen shirt", "order_id": "1001",
        "customers": [{"role": "buyer", "name": "Olivia", "email": "olivia@example.com"}],
        "tracking_ship_date": "20261130"}
    assert build_update_body(Shipment("m1", "X", "ups")) == {}


TRACKING = {
    "id": "grhrexm6t3hiwkjwq37jd003", "tracking_number": "9361289676091361892011", "slug": "usps",
    "tag": "Delivered", "subtag": "Delivered_001", "subtag_message": "Delivered", "order_id": "1001",
    "active": False, "updated_at": "2026-11-30T10:00:00+00:00", "shipment_delivery_date": "2026-11-29T16:20:00Z",
    "aftership_estimated_delivery_date": {"estimated_delivery_date": "2026-11-30"},
    "checkpoints": [
        {"checkpoint_time": "2026-11-29T16:20:00Z", "message": "Delivered", "city": "Chicago", "state": "IL",
         "country_region": "USA", "tag": "Delivered", "subtag": "Delivered_001"},
        {"checkpoint_time": "2026-11-27T08:00:00+08:00", "message": "Accepted", "location": "Shenzhen",
         "tag": "InTransit", "subtag": "InTransit_002"},
        {"checkpoint_time": "2026-11-27T08:00:00+08:00", "message": "Accepted", "location": "Shenzhen"},
        {"checkpoint_time": None, "message": "no time"},
    ],
}


def test_parse_tracking_with_checkpoints() -> None:
    update = parse_tracking(TRACKING)
    assert update.status is DeliveryStatus.DELIVERED and update.subtag == "Delivered_001"
    assert [c.description for c in update.checkpoints] == ["Accepted", "Delivered"]
    assert update.checkpoints[0].time == datetime(2026, 11, 27, 0, 0, tzinfo=UTC)
    assert update.checkpoints[1].location == "Chicago, IL, USA"
    assert update.checkpoints[1].status is DeliveryStatus.DELIVERED
    assert update.delivered_at == datetime(2026, 11, 29, 16, 20, tzinfo=UTC)
    assert update.expected_delivery == datetime(2026, 11, 30, tzinfo=UTC)
    assert update.last_event == "Delivered" and update.active is False


def test_parse_page() -> None:
    items, cursor = parse_page({"pagination": {"total": 3, "next_cursor": "abc", "has_next_page": True},
                                "trackings": [TRACKING]})
    assert len(items) == 1 and cursor == "abc"
    assert parse_page({"pagination": {"next_cursor": None, "has_next_page": False}, "trackings": []}) == ([], None)


def test_webhook_signature_and_parse() -> None:
    body = json.dumps({"ts": 1764500000, "event": "tracking_update", "event_id": "3f64",
                       "is_tracking_first_tag": True, "msg": TRACKING}).encode()
    secret = "2e55b9a3-4dd1-4416-9897-c4bd1e3d738f"
    header = base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()
    assert sign(body, secret) == header
    verify_webhook(body, header, secret)
    for bad_body, bad_header, bad_secret in ((body + b" ", header, secret), (body, header, "x" * 10),
                                             (body, "not base64!", secret), (body, None, secret), (body, header, "")):
        with pytest.raises(WebhookVerificationError):
            verify_webhook(bad_body, bad_header, bad_secret)
    event = parse_webhook(body)
    assert event.event_id == "3f64" and event.is_tracking_first_tag
    assert event.tracking is not None and event.tracking.status is DeliveryStatus.DELIVERED
    with pytest.raises(ValueError):
        parse_webhook(b"[]")


class FakeTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_meter_paces_and_follows_headers() -> None:
    clock = FakeTime()
    clock.now = 1000.25
    meter = EndpointMeter(5, wall=clock)
    assert [meter.reserve() for _ in range(5)] == [0.0] * 5  # the window's five, then wait for its end
    assert meter.reserve() == pytest.approx(0.75)
    clock.now = 1001.0
    assert meter.reserve() == pytest.approx(1.0)  # five still unanswered: they may land in this window
    for _ in range(5):
        meter.answered(None)
    clock.now = 1002.0
    assert meter.reserve() == 0.0 and meter.in_flight == 1  # the next window, its first place
    meter = EndpointMeter(5, wall=clock)
    assert meter.reserve() == 0.0
    meter.answered(RateLimitHeaders(limit=5, remaining=1, reset=1003))  # others used three of this window
    assert meter.reserve() == 0.0 and meter.reserve() == pytest.approx(1.0)
    meter.answered(RateLimitHeaders(limit=5, remaining=0, reset=1004))  # AfterShip is a window ahead
    assert meter.window_end == 1004 and meter.reserve() == pytest.approx(2.0)
    meter.hold(3)
    clock.now = 1004.5
    assert meter.reserve() == pytest.approx(0.5)  # a 429's Retry-After outlasts the window
    meter.observe(RateLimitHeaders(limit=20, remaining=19, reset=None))
    assert meter.rate == 20
    assert RateLimitHeaders.parse({"x-ratelimit-limit": "6", "x-ratelimit-remaining": "x"}) == \
        RateLimitHeaders(6.0, None, None)


def test_docs_webhook_example_parses() -> None:
    """The webhook specification's example body (its visible fields; tag fields as the spec describes)."""
    from pathlib import Path

    raw = (Path(__file__).parents[3] / "fixtures" / "aftership" / "webhook_tracking_update.json").read_bytes()
    verify_webhook(raw, sign(raw, "2e55b9a3-4dd1-4416-9897-c4bd1e3d738f"), "2e55b9a3-4dd1-4416-9897-c4bd1e3d738f")
    event = parse_webhook(raw)
    assert event.event_id == "3f645f5e-530b-4062-8695-db6a64420af8" and event.is_tracking_first_tag
    assert event.ts == datetime(2021, 1, 2, 8, 52, 54, tzinfo=UTC)
    assert event.tracking is not None and event.tracking.status is DeliveryStatus.IN_TRANSIT


def test_receive_webhook_verifies_before_parsing() -> None:
    from parcelsync.providers.aftership.webhook import receive_webhook

    body = json.dumps({"event": "tracking_update", "event_id": "e1", "msg": TRACKING}).encode()
    assert receive_webhook(body, sign(body, "s" * 16), "s" * 16).event_id == "e1"
    with pytest.raises(WebhookVerificationError):
        receive_webhook(body, sign(body, "s" * 16), "t" * 16)
