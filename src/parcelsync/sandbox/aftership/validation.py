"""Field rules of `POST /trackings` and `PUT /trackings/{id}` (2026-07 request bodies), as meta errors."""

from __future__ import annotations

import re
from typing import Any

from parcelsync.sandbox.aftership.couriers import BY_SLUG
from parcelsync.sandbox.aftership.errors import AfterShipError

TRACKING_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-_ ./]{2,99}$")
ISO3 = re.compile(r"^[A-Z]{3}$")
LANGUAGE = re.compile(r"^[a-z]{2}$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SHIP_DATE = re.compile(r"^\d{8}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DELIVERY_TYPES = frozenset({"pickup_at_store", "pickup_at_courier", "door_to_door"})
CUSTOMER_ROLES = frozenset({"buyer", "receiver"})
COMPLETE_REASONS = frozenset({"DELIVERED", "LOST", "RETURNED_TO_SENDER"})
STRING_FIELDS = {
    "title": 512, "order_id": 512, "order_id_path": 2048, "order_number": 512, "note": 2048,
    "pickup_location": 512, "pickup_note": 512, "tracking_account_number": 128, "tracking_key": 128,
    "tracking_postal_code": 32, "tracking_state": 64, "shipment_type": 128, "location_id": 128,
    "shipping_method": 128, "courier_connection_id": 128,
}
PATTERN_FIELDS = {
    "language": LANGUAGE, "order_promised_delivery_date": DATE, "tracking_ship_date": SHIP_DATE,
    "tracking_origin_country_region": ISO3, "tracking_destination_country_region": ISO3,
    "origin_country_region": ISO3, "destination_country_region": ISO3,
}
UPDATE_ONLY_FORBIDDEN = frozenset({"tracking_number"})


def _invalid(name: str) -> AfterShipError:
    return AfterShipError(4008, field=name)


def _customers(value: Any) -> None:
    if not isinstance(value, list):
        raise _invalid("customers")
    for i, c in enumerate(value):
        if not isinstance(c, dict):
            raise _invalid(f"customers[{i}]")
        if "role" in c and c["role"] not in CUSTOMER_ROLES:
            raise _invalid(f"customers[{i}].role")
        for key in ("name", "phone_number", "email", "language"):
            if key in c and c[key] is not None and not isinstance(c[key], str):
                raise _invalid(f"customers[{i}].{key}")
        if c.get("email") and not EMAIL.match(c["email"]):
            raise _invalid(f"customers[{i}].email")


def check_fields(body: dict[str, Any]) -> None:
    """The optional descriptive fields shared by create and update."""
    for name, limit in STRING_FIELDS.items():
        value = body.get(name)
        if value is not None and (not isinstance(value, str) or len(value) > limit):
            raise _invalid(name)
    for name, rx in PATTERN_FIELDS.items():
        value = body.get(name)
        if value is not None and (not isinstance(value, str) or not rx.match(value)):
            raise _invalid(name)
    if body.get("delivery_type") is not None and body["delivery_type"] not in DELIVERY_TYPES:
        raise _invalid("delivery_type")
    custom = body.get("custom_fields")
    if custom is not None and (not isinstance(custom, dict) or not all(isinstance(v, str) for v in custom.values())):
        raise _invalid("custom_fields")
    if "customers" in body and body["customers"] is not None:
        _customers(body["customers"])


def check_create(body: Any) -> tuple[str, list[str] | str | None]:
    """(tracking_number, slug) of a valid create body; raises the meta error otherwise."""
    if not isinstance(body, dict):
        raise AfterShipError(4001)
    number = body.get("tracking_number")
    if number is None or number == "":
        raise AfterShipError(4007)
    if not isinstance(number, str) or not TRACKING_NUMBER.match(number):
        raise AfterShipError(4005)
    slug = body.get("slug")
    if slug is not None:
        slugs = slug if isinstance(slug, list) else [slug]
        if not slugs or not all(isinstance(s, str) and s in BY_SLUG for s in slugs):
            raise AfterShipError(4010)
    check_fields(body)
    return number, slug


def check_update(body: Any) -> None:
    if not isinstance(body, dict):
        raise AfterShipError(4001)
    if UPDATE_ONLY_FORBIDDEN & set(body):
        raise _invalid("tracking_number")
    if "slug" in body and (not isinstance(body["slug"], str) or body["slug"] not in BY_SLUG):
        raise AfterShipError(4010)
    check_fields(body)
