"""`ShipmentIn`, the one input shape of a shipment, and its normalisation into what is stored.

Unknown fields are rejected (a misspelt `tracking_numbr` must not silently drop data), every
string is trimmed and an empty string means "not given".
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlsplit

import orjson
from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, field_validator

from parcelsync.connectors.carriers import default_registry
from parcelsync.domain.carriers import CarrierRegistry
from parcelsync.domain.status import DeliveryStatus
from parcelsync.domain.tracking_numbers import InvalidTrackingNumber, check
from parcelsync.ingest.countries import ISO_ALPHA2
from parcelsync.ingest.errors import FieldError, InvalidInput
from parcelsync.ingest.money import check_amount, check_currency
from parcelsync.ingest.text import identifier_or_none, text_or_none

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_SIMPLE_EMAIL = re.compile(
    rf"^{_ATOM}(?:\.{_ATOM})*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{{0,61}}[A-Za-z0-9])?\.)+[A-Za-z]{{2,63}}$"
)
_PHONE = re.compile(r"^[0-9+()\-.\s/xX]{3,64}$")


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def _gateway(value: object) -> str | None:
    """A payment gateway's id ("" or None: not named), checked against the registered gateways."""
    from parcelsync.connectors.record import Kind
    from parcelsync.connectors.registry import of_kind

    value = _blank_to_none(value)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError("must be a string")
    gateways = sorted(c.id for c in of_kind(Kind.PAYMENT_GATEWAY))
    if value.strip().lower() not in gateways:
        raise ValueError(f"must be one of {', '.join(gateways)}")
    return value.strip().lower()


_BLANK_IS_NONE = BeforeValidator(_blank_to_none)
# Written out (not built by a function) so that type checkers see them as type aliases.
Text2 = Annotated[Annotated[str, StringConstraints(max_length=2)] | None, _BLANK_IS_NONE]
Text64 = Annotated[Annotated[str, StringConstraints(max_length=64)] | None, _BLANK_IS_NONE]
Text128 = Annotated[Annotated[str, StringConstraints(max_length=128)] | None, _BLANK_IS_NONE]
Text200 = Annotated[Annotated[str, StringConstraints(max_length=200)] | None, _BLANK_IS_NONE]
Text320 = Annotated[Annotated[str, StringConstraints(max_length=320)] | None, _BLANK_IS_NONE]
Text500 = Annotated[Annotated[str, StringConstraints(max_length=500)] | None, _BLANK_IS_NONE]
Text2048 = Annotated[Annotated[str, StringConstraints(max_length=2048)] | None, _BLANK_IS_NONE]


IDENTIFIER_FIELDS = ("tracking_number", "carrier", "order_id", "fulfillment_id", "payment_intent_id")
"""Normalised by `ingest.text.identifier`: look-alike spellings of one id are one id."""
TEXT_FIELDS = ("tracking_url", "title", "logistics_channel", "customer_name", "customer_email", "customer_phone")
"""Checked by `ingest.text.check_text`: no control characters (country, currency and order value accept
only their own short alphabets already)."""


class _ShipmentFields(BaseModel):
    """Every field of a shipment a caller may send, each optional; the validators are shared."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    tracking_number: str | None = Field(default=None, min_length=1, max_length=100)
    carrier: Text64 = None
    tracking_url: Text2048 = None
    order_id: Text128 = None
    fulfillment_id: Text128 = None
    payment_intent_id: Text128 = None
    payment_gateway: Annotated[str | None, BeforeValidator(_gateway)] = None
    title: Text500 = None
    logistics_channel: Text200 = None
    customer_name: Text200 = None
    customer_email: Text320 = None
    customer_phone: Text64 = None
    destination_country: Text2 = None
    ship_date: Annotated[date | None, BeforeValidator(_blank_to_none)] = None
    order_value: Annotated[str | None, BeforeValidator(_blank_to_none)] = None
    currency: Text64 = None
    status: Annotated[DeliveryStatus | None, BeforeValidator(_blank_to_none)] = None

    @field_validator(*IDENTIFIER_FIELDS, mode="before")
    @classmethod
    def _identifier(cls, value: Any) -> Any:
        return identifier_or_none(value)

    @field_validator(*TEXT_FIELDS, mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        return text_or_none(value)

    @field_validator("tracking_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme.lower() not in {"http", "https"} or not parts.netloc or any(c.isspace() for c in value):
            raise ValueError("must be an http or https URL")
        return value

    @field_validator("customer_email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if _SIMPLE_EMAIL.match(value) and len(value.partition("@")[0]) <= 64:
            return value.lower()
        try:
            return validate_email(value, check_deliverability=False).normalized.lower()
        except EmailNotValidError as exc:
            raise ValueError(f"not a valid email address: {exc}") from None

    @field_validator("customer_phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is not None and not _PHONE.match(value):
            raise ValueError("may only contain digits, spaces and + - ( ) . / x")
        return value

    @field_validator("destination_country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        if value is None:
            return None
        code = value.upper()
        if code not in ISO_ALPHA2:
            raise ValueError("must be an ISO 3166-1 alpha-2 country code, e.g. US")
        return code


    @field_validator("order_value", mode="before")
    @classmethod
    def _order_value_is_text(cls, value: Any) -> Any:
        if isinstance(value, (bool, float)):
            raise ValueError('must be a decimal string such as "19.99" (a JSON number loses cents)')
        return str(value) if isinstance(value, int) else value

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str | None) -> str | None:
        return None if value is None else check_currency(value)


class ShipmentIn(_ShipmentFields):
    """A shipment as a caller sends it (JSON body, CSV row, CLI)."""

    tracking_number: str = Field(min_length=1, max_length=100)


class ShipmentPatch(_ShipmentFields):
    """A partial change: only the fields sent are changed; an explicit null clears a field."""

    def changes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.model_fields_set}


SHIPMENT_FIELDS: tuple[str, ...] = tuple(ShipmentIn.model_fields)
HASHED_FIELDS: tuple[str, ...] = tuple(f for f in SHIPMENT_FIELDS if f != "status")
OMITTED_WHEN_EMPTY: frozenset[str] = frozenset({"order_value", "currency", "payment_gateway"})
"""Fields added later: left out of the content hash when empty, so stored hashes stay valid."""


@dataclass(frozen=True, slots=True)
class NormalizedShipment:
    """A validated shipment as stored: canonical carrier, normalised number, and format flags."""

    tracking_number: str
    carrier: str
    tracking_url: str | None
    order_id: str | None
    fulfillment_id: str | None
    payment_intent_id: str | None
    payment_gateway: str | None
    title: str | None
    logistics_channel: str | None
    customer_name: str | None
    customer_email: str | None
    customer_phone: str | None
    destination_country: str | None
    ship_date: date | None
    order_value: str | None
    currency: str | None
    status: str | None
    flags: tuple[str, ...] = ()
    content_hash: str = ""

    def columns(self) -> dict[str, Any]:
        """The descriptive columns (everything a caller owns except status)."""
        return {f: getattr(self, f) for f in HASHED_FIELDS}


def canonical_json(canonical: dict[str, str | None]) -> bytes:
    """`json.dumps(canonical, sort_keys=True, separators=(",", ":"))` as bytes, the form stored hashes were made of.

    orjson writes the same bytes for printable ASCII (and every escape below it); anything else (DEL,
    non-ASCII, which `json.dumps` escapes as \\uXXXX, lone surrogates, which orjson refuses) takes
    `json.dumps` itself.
    """
    try:
        fast = orjson.dumps(canonical, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        fast = b"\x7f"
    if fast.isascii() and b"\x7f" not in fast:
        return fast
    return json.dumps(canonical, sort_keys=True, separators=(",", ":")).encode()


def content_hash(columns: dict[str, Any]) -> str:
    """SHA-256 of the descriptive columns; equal hashes mean a re-send changes nothing."""
    canonical = {
        f: (None if columns.get(f) is None else str(columns[f]))
        for f in HASHED_FIELDS
        if f not in OMITTED_WHEN_EMPTY or columns.get(f) is not None
    }
    return hashlib.sha256(canonical_json(canonical)).hexdigest()


def _order_value(item: ShipmentIn) -> str | None:
    """An order value needs its currency (and fits the currency's minor units); a currency needs a value."""
    if item.order_value is None and item.currency is None:
        return None
    if item.currency is None:
        raise InvalidInput([FieldError("currency", "required with order_value (ISO 4217, e.g. USD)")])
    if item.order_value is None:
        raise InvalidInput([FieldError("order_value", "required with currency")])
    try:
        return check_amount(item.order_value, item.currency)
    except ValueError as exc:
        raise InvalidInput([FieldError("order_value", str(exc))]) from None


def normalize(item: ShipmentIn, registry: CarrierRegistry | None = None) -> NormalizedShipment:
    """Check the tracking number (carrier detection, check digits) and canonicalise the carrier."""
    registry = registry or default_registry()
    order_value = _order_value(item)
    try:
        result = check(item.tracking_number, carrier=item.carrier, registry=registry)
    except InvalidTrackingNumber as exc:
        raise InvalidInput([FieldError(exc.field, exc.reason)]) from None
    if not result.carrier:
        raise InvalidInput([FieldError("carrier", "required: the carrier cannot be detected from this number")])
    columns: dict[str, Any] = {
        "tracking_number": result.number,
        "carrier": registry.canonical(result.carrier),
        "tracking_url": item.tracking_url,
        "order_id": item.order_id,
        "fulfillment_id": item.fulfillment_id,
        "payment_intent_id": item.payment_intent_id,
        "payment_gateway": item.payment_gateway,
        "title": item.title,
        "logistics_channel": item.logistics_channel,
        "customer_name": item.customer_name,
        "customer_email": item.customer_email,
        "customer_phone": item.customer_phone,
        "destination_country": item.destination_country,
        "ship_date": item.ship_date,
        "order_value": order_value,
        "currency": item.currency,
    }
    return NormalizedShipment(
        **columns,
        status=item.status.value if item.status else None,
        flags=tuple(result.flags),
        content_hash=content_hash(columns),
    )

