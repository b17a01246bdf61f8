"""The event vocabulary, and the shipment summary events carry."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class EventType(StrEnum):
    """Every kind of event; the value is what the feed and the webhooks show as `type`."""

    SHIPMENT_CREATED = "shipment.created"
    SHIPMENT_UPDATED = "shipment.updated"
    SHIPMENT_DELETED = "shipment.deleted"
    SHIPMENT_STATUS_CHANGED = "shipment.status_changed"
    SHIPMENT_DELIVERED = "shipment.delivered"
    SHIPMENT_EXCEPTION = "shipment.exception"
    SYNC_FAILED = "sync.failed"
    SYNC_RECOVERED = "sync.recovered"
    CONNECTION_PAUSED = "connection.paused"
    CONNECTION_RESUMED = "connection.resumed"
    ALERT_RAISED = "alert.raised"
    ALERT_RESOLVED = "alert.resolved"
    WEBHOOK_ENDPOINT_DISABLED = "webhook_endpoint.disabled"


EXCEPTION_STATUSES = frozenset({"exception", "failed_attempt"})
"""A change into one of these also records `shipment.exception`."""

SHIPMENT_FIELDS = (
    "tracking_number",
    "carrier",
    "status",
    "substatus",
    "tracking_url",
    "order_id",
    "fulfillment_id",
    "payment_intent_id",
    "destination_country",
    "ship_date",
    "delivered_at",
)
"""What an event tells about its shipment: identifiers and status, never the buyer's contact details."""


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date | datetime) else value


def shipment_summary(shipment_id: int, values: Any) -> dict[str, Any]:
    """The shipment part of an event's data, from a row or a mapping of column values."""
    get: Callable[[str], Any] = values.get if isinstance(values, Mapping) else lambda name: getattr(values, name, None)
    return {"id": shipment_id, **{name: _plain(get(name)) for name in SHIPMENT_FIELDS}}


def matches(event_type: str, wanted: list[str] | None) -> bool:
    """Whether an endpoint subscribed to `wanted` gets `event_type`: empty means all, `shipment.*` a family."""
    if not wanted:
        return True
    family = event_type.split(".", 1)[0] + ".*"
    return event_type in wanted or family in wanted or "*" in wanted
