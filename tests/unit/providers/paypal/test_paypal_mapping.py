"""PayPal mapping: carriers, statuses, full sets, coalescing, batch outcomes, order lookups."""

from __future__ import annotations

from datetime import date

import pytest

from parcelsync.connectors.carriers import default_registry
from parcelsync.domain.carrier_data import CARRIERS
from parcelsync.domain.models import Shipment
from parcelsync.domain.status import DeliveryStatus
from parcelsync.providers.errors import NotFound, RateLimited, Rejected, Retryable
from parcelsync.providers.paypal.carriers import OTHER, PAYPAL_CARRIERS, PayPalCarrier, paypal_carrier
from parcelsync.providers.paypal.mapping import (
    TrackerLine,
    build_batch_body,
    build_cancel_patch,
    build_order_track_body,
    build_payment_trackers,
    error_from_body,
    find_capture_id,
    find_order_tracker,
    parse_batch_response,
    parse_error_body,
    pending_lines,
    tracker_id,
)
from parcelsync.providers.paypal.status import TrackerStatus, TrackingApi, tracker_status

REGISTRY = default_registry()


def ship(number: str, carrier: str = "ups", status: DeliveryStatus = DeliveryStatus.IN_TRANSIT) -> Shipment:
    return Shipment("m1", number, carrier, status=status, ship_date=date(2026, 11, 30))


def test_every_table_key_is_a_canonical_carrier() -> None:
    canonical = {c.code for c in CARRIERS}
    assert set(PAYPAL_CARRIERS) <= canonical


@pytest.mark.parametrize(("given", "expected"), [
    ("ups", PayPalCarrier("UPS")), ("UPS", PayPalCarrier("UPS")), ("fedex ground", PayPalCarrier("FEDEX")),
    ("4PX", PayPalCarrier("FOUR_PX_EXPRESS")), ("Royal Mail", PayPalCarrier("ROYAL_MAIL")),
    ("dhl global mail", PayPalCarrier("DHL_GLOBAL_ECOMMERCE")),
    ("yunexpress", PayPalCarrier(OTHER, "YunExpress")),  # not in PayPal's table: OTHER + the name
    ("Some Local Courier", PayPalCarrier(OTHER, "Some Local Courier")),
])
def test_carrier_mapping_with_other_fallback(given: str, expected: PayPalCarrier) -> None:
    assert paypal_carrier(given, REGISTRY) == expected


def test_merchant_override_wins() -> None:
    assert paypal_carrier("yunexpress", REGISTRY, {"yunexpress": "YUNEXPRESS"}) == PayPalCarrier("YUNEXPRESS")
    assert paypal_carrier("ups", REGISTRY, {"ups": OTHER}) == PayPalCarrier(OTHER, "UPS")


def test_statuses_are_limited_to_the_chosen_api() -> None:
    delivered = DeliveryStatus.DELIVERED
    assert tracker_status(delivered, live=True, api=TrackingApi.ORDERS_V2) is TrackerStatus.SHIPPED
    assert tracker_status(delivered, live=True, api=TrackingApi.BATCH_V1) is TrackerStatus.DELIVERED
    assert tracker_status(DeliveryStatus.EXCEPTION, live=True, api=TrackingApi.BATCH_V1) is TrackerStatus.SHIPPED
    for api in TrackingApi:
        assert tracker_status(delivered, live=False, api=api) is TrackerStatus.CANCELLED


def test_full_set_live_then_removed_and_deduplicated() -> None:
    trackers = build_payment_trackers(
        "TXN1", [ship("1Z1"), ship("1Z1"), ship("LX1", "yunexpress")], [ship("1Z9"), ship("LX1")], REGISTRY)
    assert [(line.tracking_number, line.status) for line in trackers.lines] == [
        ("1Z1", TrackerStatus.SHIPPED), ("LX1", TrackerStatus.SHIPPED), ("1Z9", TrackerStatus.CANCELLED)]
    assert trackers.lines[1].carrier_name_other == "YunExpress"


def test_pending_lines_coalesce() -> None:
    trackers = build_payment_trackers("TXN1", [ship("1Z1"), ship("1Z2")], [ship("1Z8"), ship("1Z9")], REGISTRY)
    acknowledged = {"1Z1": "UPS||SHIPPED", "1Z8": "UPS||SHIPPED"}
    pending = pending_lines(trackers, acknowledged)
    # 1Z1 unchanged; 1Z2 new; 1Z8 must be cancelled; 1Z9 was never sent, nothing to cancel.
    assert [line.tracking_number for line in pending.lines] == ["1Z2", "1Z8"]


def test_bodies() -> None:
    line = TrackerLine("1Z1", OTHER, TrackerStatus.SHIPPED, "Local Co", date(2026, 11, 30))
    assert build_batch_body([("TXN1", line)]) == {"trackers": [{
        "transaction_id": "TXN1", "tracking_number": "1Z1", "status": "SHIPPED", "carrier": "OTHER",
        "carrier_name_other": "Local Co", "shipment_date": "2026-11-30"}]}
    assert build_order_track_body("CAP1", line, notify_payer=True) == {
        "capture_id": "CAP1", "tracking_number": "1Z1", "carrier": "OTHER", "notify_payer": True,
        "carrier_name_other": "Local Co"}
    assert build_cancel_patch() == [{"op": "replace", "path": "/status", "value": "CANCELLED"}]
    assert tracker_id("TXN1", "1Z1") == "TXN1-1Z1"


def test_batch_outcomes_one_per_item_with_issue_as_reason() -> None:
    items = [("T1", "N1"), ("T2", "N2"), ("T3", "N3"), ("T4", "N4")]
    payload = {
        "tracker_identifiers": [{"transaction_id": "T1", "tracking_number": "N1"}],
        "errors": [
            {"name": "INVALID_REQUEST", "debug_id": "dbg2", "message": "bad",
             "details": [{"field": "/trackers/1/status", "issue": "INVALID_PARAMETER_VALUE",
                          "description": "The value of a field is invalid."}]},
            {"name": "RESOURCE_NOT_FOUND", "debug_id": "dbg3",
             "details": [{"value": "T3", "issue": "INVALID_RESOURCE_ID"}]},
        ],
    }
    outcomes = parse_batch_response(payload, items, debug_id="call-dbg")
    assert [o.accepted for o in outcomes] == [True, False, False, False]
    assert outcomes[0].tracker_id == "T1-N1" and outcomes[0].debug_id == "call-dbg"
    assert isinstance(outcomes[1].error, Rejected) and outcomes[1].error.code == "INVALID_PARAMETER_VALUE"
    assert outcomes[1].reason and outcomes[1].reason.startswith("INVALID_PARAMETER_VALUE")
    assert outcomes[1].debug_id == "dbg2" and outcomes[2].debug_id == "dbg3"
    assert isinstance(outcomes[3].error, Retryable)  # omitted: never a success


def test_error_bodies_map_by_status() -> None:
    body = parse_error_body({"name": "RESOURCE_NOT_FOUND", "message": "nope", "debug_id": "d1",
                             "details": [{"issue": "INVALID_RESOURCE_ID", "field": "id"}]})
    error = error_from_body(404, body)
    assert isinstance(error, NotFound) and error.code == "INVALID_RESOURCE_ID" and error.trace_id == "d1"
    assert isinstance(error_from_body(429, parse_error_body({}), retry_after=3), RateLimited)
    assert isinstance(error_from_body(503, parse_error_body("junk")), Retryable)
    assert isinstance(error_from_body(422, parse_error_body({"name": "UNPROCESSABLE_ENTITY"})), Rejected)


def test_capture_and_tracker_lookup() -> None:
    order = {"purchase_units": [{"payments": {"captures": [{"id": "C0", "status": "REFUNDED"},
                                                           {"id": "C1", "status": "COMPLETED"}]},
                                 "shipping": {"trackers": [{"id": "C1-1Z1", "status": "SHIPPED"}]}}]}
    assert find_capture_id(order) == "C1"
    assert find_capture_id({"purchase_units": []}) is None
    assert find_order_tracker(order, "1Z1", "C1") == "C1-1Z1"
    assert find_order_tracker(order, "1Z2") is None
