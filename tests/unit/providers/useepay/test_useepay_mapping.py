from __future__ import annotations

import json
from pathlib import Path

from parcelsync.domain.carriers import CarrierRegistry
from parcelsync.domain.models import Shipment
from parcelsync.domain.provider import Provider
from parcelsync.providers.errors import Rejected, Retryable
from parcelsync.providers.useepay.mapping import (
    ShipmentLine,
    TrackerInput,
    align_outcomes,
    build_trackers,
    build_upload_body,
    parse_upload_response,
)
from parcelsync.providers.useepay.schemas import UploadRequest

FIXTURES = Path(__file__).parents[3] / "fixtures" / "useepay"


def ship(number: str, carrier: str = "ups", intent: str | None = "pi_1", url: str | None = None) -> Shipment:
    return Shipment("m1", number, carrier, tracking_url=url, payment_intent_id=intent)


def test_all_shipments_of_an_intent_go_in_one_tracker_in_first_seen_order(registry: CarrierRegistry) -> None:
    trackers = build_trackers(
        [
            ship("1Z1", intent="pi_b"),
            ship("1Z2", intent="pi_a"),
            ship("1Z3", intent="pi_b"),
            ship("1Z4", intent="pi_a"),
        ],
        registry,
    )
    assert [t.payment_intent_id for t in trackers] == ["pi_b", "pi_a"]
    assert [s.tracking_number for s in trackers[0].shipments] == ["1Z1", "1Z3"]
    assert [s.tracking_number for s in trackers[1].shipments] == ["1Z2", "1Z4"]


def test_shipments_without_payment_intent_are_skipped(registry: CarrierRegistry) -> None:
    trackers = build_trackers(
        [ship("1Z1", intent=None), ship("1Z2", intent="  "), ship("1Z3", intent="pi_x")], registry
    )
    assert [(t.payment_intent_id, len(t.shipments)) for t in trackers] == [("pi_x", 1)]


def test_same_parcel_twice_is_sent_once(registry: CarrierRegistry) -> None:
    [tracker] = build_trackers([ship("1Z1"), ship("1Z1"), ship("1Z2")], registry)
    assert [s.tracking_number for s in tracker.shipments] == ["1Z1", "1Z2"]


def test_carrier_mapped_through_registry_with_fallback_others(registry: CarrierRegistry) -> None:
    [tracker] = build_trackers(
        [ship("A1", "United Parcel"), ship("A2", "4PX"), ship("A3", "Pony Express"), ship("A4", "")], registry
    )
    assert [s.carrier for s in tracker.shipments] == ["ups", "4px", "others", "others"]


def test_merchant_override_wins(registry: CarrierRegistry) -> None:
    custom = registry.with_overrides([(Provider.USEEPAY, "4px", "4px_express")])
    [tracker] = build_trackers([ship("A2", "4px")], custom)
    assert tracker.shipments[0].carrier == "4px_express"


def test_tracking_url_from_shipment_then_registry_template(registry: CarrierRegistry) -> None:
    [tracker] = build_trackers(
        [ship("1ZA", "ups", url="https://merchant.example/t/1ZA"), ship("1ZB", "ups"), ship("4PX1", "4px")], registry
    )
    assert [s.tracking_url for s in tracker.shipments] == [
        "https://merchant.example/t/1ZA",
        "https://www.ups.com/track?tracknum=1ZB",
        None,
    ]


def test_upload_body_matches_the_seed_shape() -> None:
    seed = json.loads((FIXTURES / "seed_request.json").read_text())["body"]
    trackers = [
        TrackerInput(
            t["payment_intent_id"],
            tuple(ShipmentLine(s["carrier"], s["tracking_number"], s["tracking_url"]) for s in t["shipments"]),
        )
        for t in seed["trackers"]
    ]
    assert build_upload_body(trackers, {"id": 1}) == seed


def test_upload_body_omits_absent_meta_data_and_url() -> None:
    body = build_upload_body([TrackerInput("pi_1", (ShipmentLine("others", "X1"),))])
    assert body == {
        "trackers": [{"payment_intent_id": "pi_1", "shipments": [{"carrier": "others", "tracking_number": "X1"}]}]
    }
    UploadRequest.model_validate(body)


def test_parse_documented_response() -> None:
    body = json.loads((FIXTURES / "seed_response.json").read_text())
    outcomes = parse_upload_response(body)
    assert [(o.payment_intent_id, o.accepted, o.error) for o in outcomes] == [
        ("1012601151754028903", True, None),
        ("1012601151834028921", True, None),
    ]


def test_parse_rejection_carries_reason_code_and_field() -> None:
    body = {
        "code": "0000",
        "data": {
            "accepted": [{"payment_intent_id": "pi_ok", "shipments": []}],
            "rejected": [
                {
                    "payment_intent_id": "pi_bad",
                    "shipments": [],
                    "code": "invalid_argument",
                    "source": "shipments[0].tracking_url",
                    "reason": "tracking_url must be an http or https URL",
                },
                {"payment_intent_id": "pi_msg", "message": "blocked"},
            ],
        },
    }
    ok, bad, msg = parse_upload_response(body)
    assert ok.accepted and ok.reason is None
    assert not bad.accepted and isinstance(bad.error, Rejected)
    assert bad.error.field == "shipments[0].tracking_url" and bad.error.code == "invalid_argument"
    assert bad.reason is not None and "http or https" in bad.reason
    assert msg.reason == "blocked"


def test_rejection_wins_over_acceptance_of_the_same_intent() -> None:
    body = {
        "code": "0000",
        "data": {"accepted": [{"payment_intent_id": "pi"}], "rejected": [{"payment_intent_id": "pi"}]},
    }
    [outcome] = parse_upload_response(body)
    assert not outcome.accepted and outcome.reason


def test_intent_missing_from_answer_is_not_accepted() -> None:
    outcomes = parse_upload_response({"code": "0000", "data": {"accepted": [{"payment_intent_id": "pi_1"}]}})
    aligned = align_outcomes(["pi_1", "pi_2"], outcomes)
    assert [(o.payment_intent_id, o.accepted) for o in aligned] == [("pi_1", True), ("pi_2", False)]
    assert isinstance(aligned[1].error, Retryable) and aligned[1].reason
