"""Pure parts of the PayPal and AfterShip connectors: gateway selection, coalescing state, outcomes."""

from __future__ import annotations

from datetime import UTC, datetime

from parcelsync.connectors.calls import ClaimedTarget, TargetSnapshot
from parcelsync.connectors.carriers import default_registry
from parcelsync.connectors.keys import NOT_CHOSEN
from parcelsync.connectors.paypal.send import KEY as PAYPAL_KEY
from parcelsync.connectors.paypal.send import acknowledged_of, settle
from parcelsync.connectors.useepay.send import KEY as USEEPAY_KEY
from parcelsync.domain.models import Shipment
from parcelsync.providers.errors import Rejected
from parcelsync.providers.paypal.mapping import TrackerOutcome, build_payment_trackers, pending_lines
from parcelsync.sync.gateways import choose_default, gateway_providers
from parcelsync.sync.keys import target_keys


def parcel(number: str = "LX123456785CN", gateway: str | None = None) -> Shipment:
    return Shipment("m", number, "china-post", payment_intent_id="ORD1", payment_gateway=gateway)


def snapshot(last: dict[str, object] | None = None, *shipments: Shipment) -> TargetSnapshot:
    target = ClaimedTarget(1, "ORD1", 2, 1, 0, datetime.now(UTC), last)
    return TargetSnapshot(target, 2, shipments)


def test_a_named_gateway_selects_only_its_connector() -> None:
    assert PAYPAL_KEY.values_of(parcel(gateway="paypal")) == ("ORD1",)
    assert USEEPAY_KEY.values_of(parcel(gateway="paypal")) is None
    assert USEEPAY_KEY.skip_reason(parcel(gateway="paypal")) == "payment_gateway names another: paypal"
    assert PAYPAL_KEY.values_of(parcel(), "paypal") == ("ORD1",) and USEEPAY_KEY.values_of(parcel(), "paypal") is None
    providers = {k.provider.value for k in target_keys(parcel(gateway="useepay"), gateway="paypal")}
    assert "useepay" in providers and "paypal" not in providers


def test_a_payment_naming_no_gateway_goes_to_the_default_or_is_not_chosen() -> None:
    assert USEEPAY_KEY.values_of(parcel(), "useepay") == ("ORD1",)
    assert USEEPAY_KEY.skip_reason(parcel(), "paypal") == "payment_gateway defaults to another: paypal"
    assert USEEPAY_KEY.values_of(parcel(), None) is PAYPAL_KEY.values_of(parcel(), None) is None
    assert USEEPAY_KEY.skip_reason(parcel(), None) == PAYPAL_KEY.skip_reason(parcel(), None) == NOT_CHOSEN
    assert NOT_CHOSEN == "payment gateway not chosen"


def test_the_default_gateway_is_the_only_one_or_the_chosen_one() -> None:
    assert choose_default({"useepay"}, None) == "useepay"
    assert choose_default({"useepay"}, "paypal") == "useepay"  # the chosen one is not connected
    assert choose_default({"useepay", "paypal"}, None) is None
    assert choose_default({"useepay", "paypal"}, "paypal") == "paypal"
    assert choose_default(set(), None) is None
    assert gateway_providers() == {"useepay", "paypal"}


def test_acknowledged_trackers_are_not_sent_again() -> None:
    registry = default_registry()
    full = build_payment_trackers("ORD1", [parcel("A1"), parcel("B2")], [], registry)
    first = settle(snapshot(None), full, [TrackerOutcome("ORD1", "A1", True), TrackerOutcome("ORD1", "B2", True)], {})
    assert first.ok
    again = snapshot(first.detail)
    assert pending_lines(full, acknowledged_of(again)).lines == ()


def test_one_rejected_tracker_fails_its_payment_with_the_issue_and_keeps_the_others_acknowledged() -> None:
    registry = default_registry()
    full = build_payment_trackers("ORD1", [parcel("A1"), parcel("B2")], [], registry)
    issue = Rejected("INVALID_TRACKING_NUMBER", provider="paypal")
    outcomes = [TrackerOutcome("ORD1", "A1", True, debug_id="dbg1"),
                TrackerOutcome("ORD1", "B2", False, "INVALID_TRACKING_NUMBER", issue, "dbg2")]
    result = settle(snapshot(None), full, outcomes, {})
    assert result.error is issue
    assert result.detail["rejected"] == {"B2": "INVALID_TRACKING_NUMBER"}
    assert set(result.detail["trackers"]) == {"A1"} and result.detail["debug_ids"] == ["dbg1", "dbg2"]
    assert [line.tracking_number for line in pending_lines(full, result.detail["trackers"]).lines] == ["B2"]
