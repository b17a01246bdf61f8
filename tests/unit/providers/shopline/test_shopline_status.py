from __future__ import annotations

from parcelsync.domain.status import DeliveryStatus
from parcelsync.providers.shopline.status import unified_status


def test_shipment_status_maps_with_explicit_fallbacks() -> None:
    assert unified_status("in_transit") is DeliveryStatus.IN_TRANSIT
    assert unified_status(" Delivered ") is DeliveryStatus.DELIVERED
    assert unified_status("attempted_delivery") is DeliveryStatus.FAILED_ATTEMPT
    assert unified_status("failure") is DeliveryStatus.EXCEPTION
    assert unified_status(None) is DeliveryStatus.PENDING
    assert unified_status("teleported") is DeliveryStatus.UNKNOWN
