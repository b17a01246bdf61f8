"""The events a shipment write causes: created / updated / deleted, and its status changes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from parcelsync.events.record import NewEvent
from parcelsync.events.types import EXCEPTION_STATUSES, EventType, shipment_summary


def status_changed(
    shipment_id: int, values: Any, previous: str | None, status: str, at: datetime, source: str
) -> list[NewEvent]:
    """`shipment.status_changed` (from, to, event time), plus `delivered` or `exception` when it is one."""
    data = {
        "shipment": shipment_summary(shipment_id, values),
        "from": previous,
        "to": status,
        "at": at.isoformat(),
        "source": source,
    }
    events = [NewEvent(EventType.SHIPMENT_STATUS_CHANGED, data, shipment_id)]
    if status == "delivered":
        events.append(NewEvent(EventType.SHIPMENT_DELIVERED, data, shipment_id))
    elif status in EXCEPTION_STATUSES:
        events.append(NewEvent(EventType.SHIPMENT_EXCEPTION, data, shipment_id))
    return events


def created(shipment_id: int, values: Mapping[str, Any], now: datetime, source: str) -> list[NewEvent]:
    events = [NewEvent(EventType.SHIPMENT_CREATED, {"shipment": shipment_summary(shipment_id, values)}, shipment_id)]
    status = values.get("status")
    if status and status != "pending":
        events += status_changed(shipment_id, values, None, status, now, source)
    return events


def updated(row: Any, previous_status: str | None, now: datetime, source: str) -> list[NewEvent]:
    """After an edit of a stored shipment (`previous_status` set when the edit changed the status)."""
    events = [NewEvent(EventType.SHIPMENT_UPDATED, {"shipment": shipment_summary(row.id, row)}, row.id)]
    if previous_status is not None:
        events += status_changed(row.id, row, previous_status, row.status, now, source)
    return events


def deleted(row: Any) -> list[NewEvent]:
    return [NewEvent(EventType.SHIPMENT_DELETED, {"shipment": shipment_summary(row.id, row)}, row.id)]
