"""Pure mapping: shipments -> tracking entries -> request bodies for both versions."""

from __future__ import annotations

import pytest

from parcelsync.domain.carriers import Carrier, CarrierCodes, CarrierRegistry
from parcelsync.domain.models import Shipment
from parcelsync.domain.provider import Provider
from parcelsync.providers.errors import Rejected
from parcelsync.providers.shopline.mapping import (
    MAX_TRACKING_ENTRIES,
    TrackingEntry,
    build_body,
    build_entries,
    entries_of,
    uses_tracking_list,
)
from parcelsync.providers.shopline.schemas import Fulfillment

REGISTRY = CarrierRegistry(
    (
        Carrier("4px", "4PX", "https://track.4px.com/#/result/0/{number}"),
        Carrier("ups", "UPS", None, ("united parcel service",)),
    ),
    {Provider.SHOPLINE: CarrierCodes({"4px": "4PX", "ups": "UPS"}, "Other", names_resolve=True)},
)


def _shipment(number: str, carrier: str = "4px", url: str | None = None) -> Shipment:
    return Shipment(merchant_id="m1", tracking_number=number, carrier=carrier, tracking_url=url)


def test_build_entries_maps_carriers_and_urls() -> None:
    entries = build_entries(
        [
            _shipment("4PX1"),
            _shipment("1Z1", "United Parcel Service", "https://u.example/1Z1"),
            _shipment("X1", "unheard-of"),
            _shipment("X2", ""),
        ],
        REGISTRY,
    )
    assert entries == [
        TrackingEntry("4PX", "4PX1", "https://track.4px.com/#/result/0/4PX1"),
        TrackingEntry("UPS", "1Z1", "https://u.example/1Z1"),
        TrackingEntry("Other", "X1", None),
        TrackingEntry("Other", "X2", None),
    ]


def test_build_entries_uses_merchant_overrides_skips_blank_and_keeps_first_place_of_a_repeat() -> None:
    registry = REGISTRY.with_overrides([(Provider.SHOPLINE, "ups", "UPS Express")])
    entries = build_entries([_shipment("A", "ups"), _shipment("  "), _shipment("B"), _shipment(" A ", "4px")], registry)
    assert [e.number for e in entries] == ["A", "B"]
    assert entries[0].company == "4PX"
    assert build_entries([_shipment("C", "ups")], registry)[0].company == "UPS Express"


def test_v20260301_body_carries_the_full_list() -> None:
    entries = [TrackingEntry("4PX", "A", "https://a"), TrackingEntry(None, "B", None)]
    assert build_body("v20260301", entries, notify_customer=True) == {
        "fulfillment": {
            "notify_customer": True,
            "tracking_info_list": [
                {"tracking_company": "4PX", "tracking_number": "A", "tracking_url": "https://a"},
                {"tracking_number": "B"},
            ],
        }
    }


def test_empty_list_clears_on_v20260301_and_is_rejected_on_v20250601() -> None:
    assert build_body("v20260301", [], False) == {"fulfillment": {"notify_customer": False, "tracking_info_list": []}}
    with pytest.raises(Rejected, match="cannot clear"):
        build_body("v20250601", [], False)


def test_v20250601_body_sends_the_most_recent_entry_only() -> None:
    entries = [TrackingEntry("4PX", "OLD", None), TrackingEntry("UPS", "NEW", "https://n")]
    assert build_body("v20250601", entries, notify_customer=True) == {
        "fulfillment": {"tracking_info": {"company": "UPS", "number": "NEW", "url": "https://n"}}
    }


@pytest.mark.parametrize("version", ["v20250601", "v20260301"])
def test_more_than_ten_entries_is_rejected_never_truncated(version: str) -> None:
    entries = [TrackingEntry("4PX", f"N{i}", None) for i in range(MAX_TRACKING_ENTRIES + 1)]
    with pytest.raises(Rejected, match="11 tracking entries") as info:
        build_body(version, entries, False)
    assert (info.value.provider, info.value.field) == ("shopline", "tracking_info_list")
    assert len(build_body("v20260301", entries[:10], False)["fulfillment"]["tracking_info_list"]) == 10


@pytest.mark.parametrize(
    ("version", "expected"), [("v20250601", False), ("v20251201", False), ("v20260301", True), ("v20260901", True)]
)
def test_versions_from_v20260301_use_the_list(version: str, expected: bool) -> None:
    assert uses_tracking_list(version) is expected


def test_entries_of_reads_the_list_or_the_single_fields() -> None:
    listed = Fulfillment.model_validate({"id": "1", "tracking_info_list": [{"tracking_number": "A"}]})
    single = Fulfillment.model_validate({"id": "1", "tracking_number": "B", "tracking_company": "UPS"})
    assert entries_of(listed) == [TrackingEntry(None, "A", None)]
    assert entries_of(single) == [TrackingEntry("UPS", "B", None)]
    assert entries_of(Fulfillment(id="1")) == []
