"""UseePay (payment gateway): upload parcel tracking per payment intent so payments are not held."""

from __future__ import annotations

from parcelsync.providers.useepay.client import UploadResult, UseePayClient
from parcelsync.providers.useepay.mapping import (
    ShipmentLine,
    TrackerInput,
    TrackerOutcome,
    build_trackers,
    build_upload_body,
    parse_upload_response,
)
from parcelsync.providers.useepay.schemas import MAX_TRACKERS_PER_CALL, Tracker

__all__ = [
    "MAX_TRACKERS_PER_CALL",
    "ShipmentLine",
    "Tracker",
    "TrackerInput",
    "TrackerOutcome",
    "UploadResult",
    "UseePayClient",
    "build_trackers",
    "build_upload_body",
    "parse_upload_response",
]
