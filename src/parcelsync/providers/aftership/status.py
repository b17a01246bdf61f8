"""AfterShip tags and sub-statuses -> parcelsync's unified `DeliveryStatus`, with `unknown` fallback.

A sub-status (`Delivered_001`) names its tag before the underscore, so a tracking that carries only
a sub-status still maps. Anything unrecognised is `unknown`, never an error.
"""

from __future__ import annotations

from collections.abc import Mapping

from parcelsync.domain.status import DeliveryStatus

TAGS: Mapping[str, DeliveryStatus] = {
    "Pending": DeliveryStatus.PENDING,
    "InfoReceived": DeliveryStatus.INFO_RECEIVED,
    "InTransit": DeliveryStatus.IN_TRANSIT,
    "OutForDelivery": DeliveryStatus.OUT_FOR_DELIVERY,
    "AttemptFail": DeliveryStatus.FAILED_ATTEMPT,
    "AvailableForPickup": DeliveryStatus.AVAILABLE_FOR_PICKUP,
    "Delivered": DeliveryStatus.DELIVERED,
    "Exception": DeliveryStatus.EXCEPTION,
    "Expired": DeliveryStatus.EXPIRED,
}

SUBTAG_MESSAGES: Mapping[str, str] = {
    "Pending_001": "No information yet on the shipment",
    "InfoReceived_001": "The carrier received a request from the shipper and is about to pick up the shipment",
    "InTransit_001": "Shipment on the way",
    "InTransit_002": "Shipment accepted by the carrier",
    "InTransit_003": "Shipment arrived at a hub or sorting center",
    "InTransit_004": "Arrived at the destination country/region",
    "InTransit_005": "Customs clearance completed",
    "InTransit_007": "Shipment handed over to the next courier",
    "OutForDelivery_001": "Shipment is out for delivery",
    "AvailableForPickup_001": "The shipment is ready to be picked up",
    "AttemptFail_001": "Addressee not available at the given address",
    "Delivered_001": "Shipment delivered successfully",
    "Delivered_002": "Package picked up by the customer",
    "Delivered_003": "Package delivered to and signed by the customer",
    "Exception_004": "The package is unclaimed",
    "Exception_006": "Shipment held or delayed at customs",
    "Exception_007": "Shipment lost or damaged",
    "Exception_010": "Shipment returned to the shipper",
    "Exception_012": "Shipment refused by the recipient",
    "Expired_001": "No tracking information updated in the last 30 days",
}


def tag_of(tag: str | None, subtag: str | None = None) -> str | None:
    """The tag itself, or the tag a sub-status names (`Delivered_001` -> `Delivered`)."""
    if tag and tag.strip():
        return tag.strip()
    if subtag and "_" in subtag:
        return subtag.split("_", 1)[0]
    return None


def map_tag(tag: str | None, subtag: str | None = None) -> DeliveryStatus:
    """Unified status for an AfterShip tag/sub-status; nothing at all is `pending`, anything else `unknown`."""
    name = tag_of(tag, subtag)
    if name is None:
        return DeliveryStatus.PENDING
    return TAGS.get(name, DeliveryStatus.UNKNOWN)
