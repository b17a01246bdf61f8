"""SHOPLINE fulfillment `shipment_status` values -> parcelsync's unified delivery status."""

from __future__ import annotations

from parcelsync.domain.status import DeliveryStatus

SHIPMENT_STATUS: dict[str, DeliveryStatus] = {
    "label_printed": DeliveryStatus.INFO_RECEIVED,
    "label_purchased": DeliveryStatus.INFO_RECEIVED,
    "confirmed": DeliveryStatus.INFO_RECEIVED,
    "ready_for_pickup": DeliveryStatus.INFO_RECEIVED,
    "picked_up": DeliveryStatus.IN_TRANSIT,
    "in_transit": DeliveryStatus.IN_TRANSIT,
    "out_for_delivery": DeliveryStatus.OUT_FOR_DELIVERY,
    "attempted_delivery": DeliveryStatus.FAILED_ATTEMPT,
    "delivered": DeliveryStatus.DELIVERED,
    "failure": DeliveryStatus.EXCEPTION,
}


def unified_status(shipment_status: str | None) -> DeliveryStatus:
    """The unified status for a `shipment_status`; none yet is pending, anything unlisted is unknown."""
    if not shipment_status:
        return DeliveryStatus.PENDING
    return SHIPMENT_STATUS.get(shipment_status.strip().lower(), DeliveryStatus.UNKNOWN)
