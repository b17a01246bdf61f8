"""Pure mapping between parcelsync shipments and AfterShip tracking payloads (no I/O)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from parcelsync.domain.carriers import CarrierRegistry
from parcelsync.domain.models import Checkpoint, Shipment
from parcelsync.domain.status import DeliveryStatus
from parcelsync.providers.aftership.carriers import aftership_slug
from parcelsync.providers.aftership.status import map_tag, tag_of

TITLE_MAX = 512  # Unconfirmed limits: AfterShip documents strings without lengths; the sandbox enforces these.
ORDER_ID_MAX = 512


def build_create_body(
    shipment: Shipment, registry: CarrierRegistry, overrides: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """`POST /trackings` body. Without a known slug, `slug` is left out so AfterShip detects the courier."""
    body: dict[str, Any] = {"tracking_number": shipment.tracking_number.strip()}
    slug = aftership_slug(shipment.carrier, registry, overrides)
    if slug:
        body["slug"] = slug
    body.update(build_update_body(shipment))
    if shipment.ship_date:
        body["tracking_ship_date"] = shipment.ship_date.strftime("%Y%m%d")
    return body


def build_update_body(shipment: Shipment) -> dict[str, Any]:
    """`PUT /trackings/{id}` body: the descriptive fields parcelsync owns (unset ones left out)."""
    body: dict[str, Any] = {}
    if shipment.title:
        body["title"] = shipment.title[:TITLE_MAX]
    if shipment.order_id:
        body["order_id"] = shipment.order_id[:ORDER_ID_MAX]
    customer: dict[str, str] = {}
    if shipment.customer_name:
        customer["name"] = shipment.customer_name
    if shipment.customer_email:
        customer["email"] = shipment.customer_email
    if shipment.customer_phone:
        customer["phone_number"] = shipment.customer_phone
    if customer:
        body["customers"] = [{"role": "buyer", **customer}]
    return body


@dataclass(frozen=True, slots=True)
class TrackingUpdate:
    """What AfterShip says about one parcel, in domain terms."""

    id: str
    tracking_number: str
    slug: str
    status: DeliveryStatus
    tag: str | None
    subtag: str | None
    subtag_message: str | None = None
    checkpoints: tuple[Checkpoint, ...] = ()
    last_event: str | None = None
    last_update_time: datetime | None = None
    delivered_at: datetime | None = None
    expected_delivery: datetime | None = None
    order_id: str | None = None
    active: bool | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)


def parse_time(value: object) -> datetime | None:
    """An AfterShip time (ISO 8601, with or without offset; date-only) as aware UTC."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _location(cp: Mapping[str, Any]) -> str:
    if isinstance(cp.get("location"), str) and cp["location"].strip():
        return str(cp["location"]).strip()
    parts = [cp.get("city"), cp.get("state"), cp.get("country_region") or cp.get("country_iso3")]
    return ", ".join(str(p) for p in parts if p)


def parse_checkpoints(data: Mapping[str, Any]) -> tuple[Checkpoint, ...]:
    """Checkpoints in time order, de-duplicated on (time, message)."""
    seen: set[tuple[datetime, str]] = set()
    found: list[Checkpoint] = []
    for cp in data.get("checkpoints") or []:
        if not isinstance(cp, Mapping):
            continue
        when = parse_time(cp.get("checkpoint_time"))
        message = str(cp.get("message") or "").strip()
        if when is None or not message or (when, message) in seen:
            continue
        seen.add((when, message))
        status = map_tag(cp.get("tag"), cp.get("subtag")) if (cp.get("tag") or cp.get("subtag")) else None
        found.append(Checkpoint(time=when, description=message, location=_location(cp), status=status))
    return tuple(sorted(found, key=lambda c: c.time))


def _expected(data: Mapping[str, Any]) -> datetime | None:
    for key in ("courier_estimated_delivery_date", "aftership_estimated_delivery_date"):
        value = data.get(key)
        if isinstance(value, Mapping):
            when = parse_time(value.get("estimated_delivery_date"))
            if when:
                return when
    return parse_time(data.get("expected_delivery"))


def parse_tracking(data: Mapping[str, Any]) -> TrackingUpdate:
    """A tracking object (create/get/update/list item, webhook `msg`) as a `TrackingUpdate`."""
    tag = tag_of(data.get("tag"), data.get("subtag"))
    status = map_tag(data.get("tag"), data.get("subtag"))
    checkpoints = parse_checkpoints(data)
    last_update = (checkpoints[-1].time if checkpoints else None) or parse_time(data.get("updated_at"))
    delivered_at = None
    if status is DeliveryStatus.DELIVERED:
        delivered_at = parse_time(data.get("shipment_delivery_date")) or next(
            (c.time for c in reversed(checkpoints) if c.status is DeliveryStatus.DELIVERED), last_update)
    return TrackingUpdate(
        id=str(data.get("id") or ""),
        tracking_number=str(data.get("tracking_number") or ""),
        slug=str(data.get("slug") or ""),
        status=status,
        tag=tag,
        subtag=data.get("subtag") or None,
        subtag_message=data.get("subtag_message") or None,
        checkpoints=checkpoints,
        last_event=checkpoints[-1].description if checkpoints else (data.get("subtag_message") or None),
        last_update_time=last_update,
        delivered_at=delivered_at,
        expected_delivery=_expected(data),
        order_id=data.get("order_id") or None,
        active=data.get("active") if isinstance(data.get("active"), bool) else None,
        raw=dict(data),
    )


def tracking_data(data: Any) -> Mapping[str, Any]:
    """The tracking object of a single-tracking answer (`data`, or legacy `data.tracking`)."""
    if isinstance(data, Mapping) and isinstance(data.get("tracking"), Mapping):
        return data["tracking"]  # type: ignore[no-any-return]
    return data if isinstance(data, Mapping) else {}


def parse_page(data: Any) -> tuple[list[TrackingUpdate], str | None]:
    """A `GET /trackings` page: its trackings and the next cursor (None on the last page)."""
    if not isinstance(data, Mapping):
        return [], None
    items = [parse_tracking(t) for t in data.get("trackings") or [] if isinstance(t, Mapping)]
    found = data.get("pagination")
    pagination: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    more = pagination.get("has_next_page", bool(pagination.get("next_cursor")))
    cursor = pagination.get("next_cursor") if more else None
    return items, str(cursor) if cursor else None
