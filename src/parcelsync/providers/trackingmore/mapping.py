"""Pure mapping between parcelsync's domain and TrackingMore v2 payloads (no I/O)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import Any

from parcelsync.domain.carriers import CarrierRegistry
from parcelsync.domain.models import Checkpoint, Shipment
from parcelsync.domain.provider import Provider
from parcelsync.domain.status import DeliveryStatus
from parcelsync.providers.trackingmore.status import map_status, normalise_status

_SHIP_DATE = re.compile(r"^\d{8}$")

MILESTONES: Mapping[str, str] = {
    "ItemReceived": "received_at",
    "ItemDispatched": "dispatched_at",
    "DepartfromAirport": "departed_at",
    "ArrivalfromAbroad": "arrived_abroad_at",
    "CustomsClearance": "customs_cleared_at",
    "DestinationArrived": "destination_arrived_at",
}


@dataclass(frozen=True, slots=True)
class TrackingRegistration:
    """One tracking to register (POST /trackings/post, one item of /trackings/batch)."""

    tracking_number: str
    carrier_code: str
    title: str | None = None
    logistics_channel: str | None = None
    customer_name: str | None = None
    customer_email: str | None = None
    customer_phone: str | None = None
    order_id: str | None = None
    order_create_time: str | None = None
    destination_code: str | None = None
    tracking_ship_date: str | None = None
    tracking_postal_code: str | None = None
    tracking_account_number: str | None = None
    lang: str | None = None

    def __post_init__(self) -> None:
        if not self.tracking_number.strip():
            raise ValueError("tracking_number is required")
        if not self.carrier_code.strip():
            raise ValueError("carrier_code is required")
        if self.tracking_ship_date is not None and not _SHIP_DATE.match(self.tracking_ship_date):
            raise ValueError("tracking_ship_date must be YYYYMMDD")

    def payload(self) -> dict[str, str]:
        """The JSON body: documented field names, unset fields left out."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}

    @property
    def key(self) -> tuple[str, str]:
        return (self.carrier_code, self.tracking_number)


def build_registration(shipment: Shipment, registry: CarrierRegistry) -> TrackingRegistration:
    """The registration TrackingMore needs for a shipment; the carrier is mapped through the registry."""
    return TrackingRegistration(
        tracking_number=shipment.tracking_number.strip(),
        carrier_code=registry.code_for(Provider.TRACKINGMORE, shipment.carrier),
        title=shipment.title,
        logistics_channel=shipment.logistics_channel,
        customer_name=shipment.customer_name,
        customer_email=shipment.customer_email,
        customer_phone=shipment.customer_phone,
        order_id=shipment.order_id,
        destination_code=shipment.destination_country.upper() if shipment.destination_country else None,
        tracking_ship_date=shipment.ship_date.strftime("%Y%m%d") if shipment.ship_date else None,
    )


@dataclass(frozen=True, slots=True)
class TrackingUpdate:
    """What TrackingMore says about one parcel, in domain terms."""

    tracking_number: str
    carrier_code: str
    status: DeliveryStatus
    substatus: str | None
    raw_status: str | None
    checkpoints: tuple[Checkpoint, ...] = ()
    last_event: str | None = None
    last_update_time: datetime | None = None
    delivered_at: datetime | None = None
    received_at: datetime | None = None
    dispatched_at: datetime | None = None
    departed_at: datetime | None = None
    arrived_abroad_at: datetime | None = None
    customs_cleared_at: datetime | None = None
    destination_arrived_at: datetime | None = None
    order_id: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)


def parse_time(value: object) -> datetime | None:
    """A TrackingMore time ("2018-04-18 14:34:30", ISO with offset, or Unix seconds) as aware UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) or (isinstance(value, str) and value.strip().isdigit()):
        return datetime.fromtimestamp(float(value), tz=UTC)
    if not isinstance(value, str):
        return None
    text = value.strip().replace("/", "-")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _checkpoints(data: Mapping[str, Any]) -> tuple[Checkpoint, ...]:
    seen: set[tuple[datetime, str]] = set()
    found: list[Checkpoint] = []
    for side in ("origin_info", "destination_info"):
        info = data.get(side) or {}
        for event in info.get("trackinfo") or []:
            when = parse_time(event.get("Date"))
            description = str(event.get("StatusDescription") or "").strip()
            if when is None or not description or (when, description) in seen:
                continue
            seen.add((when, description))
            raw = event.get("checkpoint_status")
            found.append(
                Checkpoint(
                    time=when,
                    description=description,
                    location=str(event.get("Details") or "").strip(),
                    status=map_status(raw, event.get("substatus")) if raw else None,
                )
            )
    return tuple(sorted(found, key=lambda c: c.time))


def _milestones(data: Mapping[str, Any]) -> dict[str, datetime | None]:
    found: dict[str, datetime | None] = {}
    for source, name in MILESTONES.items():
        value = None
        for side in ("origin_info", "destination_info"):
            value = value or parse_time((data.get(side) or {}).get(source))
        found[name] = value
    return found


def parse_tracking(data: Mapping[str, Any]) -> TrackingUpdate:
    """A tracking object (GET, list item, realtime, webhook `data`) as a `TrackingUpdate`."""
    raw_status = data.get("status")
    substatus = data.get("substatus") or None
    status = map_status(raw_status, substatus)
    checkpoints = _checkpoints(data)
    last_update = parse_time(data.get("lastUpdateTime")) or (checkpoints[-1].time if checkpoints else None)
    delivered_at = None
    if status is DeliveryStatus.DELIVERED:
        delivered = [c.time for c in checkpoints if c.status is DeliveryStatus.DELIVERED]
        delivered_at = delivered[-1] if delivered else last_update
    last_event = data.get("lastEvent") or (checkpoints[-1].description if checkpoints else None)
    return TrackingUpdate(
        tracking_number=str(data.get("tracking_number") or ""),
        carrier_code=str(data.get("carrier_code") or ""),
        status=status,
        substatus=str(substatus) if substatus else None,
        raw_status=normalise_status(raw_status) if raw_status is not None else None,
        checkpoints=checkpoints,
        last_event=last_event,
        last_update_time=last_update,
        delivered_at=delivered_at,
        order_id=data.get("order_id") or None,
        raw=dict(data),
        **_milestones(data),
    )
