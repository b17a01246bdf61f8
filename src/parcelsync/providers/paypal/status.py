"""Which PayPal tracker statuses parcelsync sends, per API.

Orders v2 trackers only know `SHIPPED` and `CANCELLED` (PATCH supports only `/status` ->
`CANCELLED`). The v1 API lists many statuses, but its integration guide documents `SHIPPED`,
`ON_HOLD`, `DELIVERED`, `CANCELLED` and `LOCAL_PICKUP` for merchants; parcelsync sends only
`SHIPPED`, `DELIVERED` (once the parcel is delivered) and `CANCELLED` (a removed parcel), so a tracker
changes at most twice after it is added (PayPal refuses trackers updated too many times).
"""

from __future__ import annotations

from enum import StrEnum

from parcelsync.domain.status import DeliveryStatus


class TrackerStatus(StrEnum):
    SHIPPED = "SHIPPED"
    DELIVERED = "DELIVERED"
    CANCELLED = "CANCELLED"


class TrackingApi(StrEnum):
    """Which PayPal API a connection sends through (a connection option)."""

    ORDERS_V2 = "orders_v2"
    BATCH_V1 = "trackers_batch"


def tracker_status(status: DeliveryStatus, *, live: bool, api: TrackingApi) -> TrackerStatus:
    """The status a parcel's tracker should have in the chosen API."""
    if not live:
        return TrackerStatus.CANCELLED
    if api is TrackingApi.BATCH_V1 and status is DeliveryStatus.DELIVERED:
        return TrackerStatus.DELIVERED
    return TrackerStatus.SHIPPED
