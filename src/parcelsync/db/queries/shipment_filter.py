"""The one shipment filter and the one cursor codec, for the API listing and export, the dashboard and the CLI.

`ShipmentFilter.of` normalises raw values the same way for every caller (canonical carrier, normalised
tracking-number prefix, lower-case email, upper-case country); `column_clauses` turns a filter into SQL
over `shipments`. A destination filter needs the connectors' key shapes, so `sync.shipment_listing`
resolves it into a clause; everything else is plain columns.

A cursor is the position of a page's last (or first) row in one sort order, as opaque text:
base64url of a small JSON object, a dot, and a checksum of it. Anything else, an edited payload, or a
cursor of the other order is refused with `CursorError` (a 422 naming `cursor` on the API). The
checksum catches edits and garbage, not a determined forger; it needs no secret because every listing
is scoped to the caller's merchant anyway.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import and_, or_
from sqlalchemy.sql.elements import ColumnElement

from parcelsync.db.tables import ShipmentRow
from parcelsync.domain.carriers import CarrierRegistry
from parcelsync.domain.provider import Provider
from parcelsync.domain.status import DeliveryStatus, TargetState
from parcelsync.domain.tracking_numbers import normalize

SortOrder = Literal["id", "updated_at"]
SEARCH_PREFIX_MIN = 4  # a search this long also matches tracking numbers by prefix
_CHECKSUM_BYTES = 6
_CHECKSUM_PERSON = b"ps-cursor"


class CursorError(ValueError):
    """The cursor is not one this server issued for this listing."""

    field = "cursor"


@dataclass(frozen=True, slots=True)
class DestinationFilter:
    """Shipments whose destination at `provider` is in `state`, as the destinations read model shows it."""

    provider: Provider
    state: TargetState

    def __str__(self) -> str:
        return f"{self.provider.value}:{self.state.value}"

    @classmethod
    def parse(cls, text: str) -> DestinationFilter | None:
        """"<provider>:<state>", or None when either part is not one we know."""
        provider, _, state = text.partition(":")
        try:
            return cls(Provider(provider), TargetState(state))
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class ShipmentFilter:
    """Listing filters; every one is optional and they combine with AND. Build it with `of` (normalises)."""

    status: DeliveryStatus | None = None
    carrier: str | None = None
    order_id: str | None = None
    payment_intent_id: str | None = None
    tracking_number_prefix: str | None = None
    customer_email: str | None = None
    destination_country: str | None = None
    updated_since: datetime | None = None
    search: str | None = None
    """A tracking number (also by prefix), order id, payment intent id or customer email."""
    destination: DestinationFilter | None = None

    @classmethod
    def of(
        cls,
        *,
        carriers: CarrierRegistry,
        status: DeliveryStatus | None = None,
        carrier: str | None = None,
        order_id: str | None = None,
        payment_intent_id: str | None = None,
        tracking_number_prefix: str | None = None,
        customer_email: str | None = None,
        destination_country: str | None = None,
        updated_since: datetime | None = None,
        search: str | None = None,
        destination: DestinationFilter | None = None,
    ) -> ShipmentFilter:
        """A filter from raw values, normalised as stored; empty values filter nothing.

        `carriers` (the connectors' `default_registry()`) canonicalises the carrier.
        """
        return cls(
            status=status or None,
            carrier=carriers.canonical(carrier) if carrier else None,
            order_id=order_id or None,
            payment_intent_id=payment_intent_id or None,
            tracking_number_prefix=normalize(tracking_number_prefix) if tracking_number_prefix else None,
            customer_email=customer_email.strip().lower() if customer_email else None,
            destination_country=destination_country.upper() if destination_country else None,
            updated_since=updated_since,
            search=search.strip() if search and search.strip() else None,
            destination=destination,
        )


def _like_prefix(prefix: str) -> str:
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def _search_clause(q: str) -> ColumnElement[bool]:
    """Exact matches on the indexed key columns; a long enough text also matches tracking numbers by prefix."""
    upper = q.upper()
    clauses: list[ColumnElement[bool]] = [
        ShipmentRow.tracking_number.in_({q, upper}),
        ShipmentRow.order_id == q,
        ShipmentRow.payment_intent_id == q,
        ShipmentRow.customer_email.in_({q, q.lower()}),
    ]
    if len(q) >= SEARCH_PREFIX_MIN:
        clauses.append(and_(ShipmentRow.tracking_number >= upper, ShipmentRow.tracking_number < upper + "\uffff"))
    return or_(*clauses)


def prefix_condition(prefix: str, dialect: str) -> ColumnElement[bool]:
    """`tracking_number` starts with `prefix` (stored numbers are upper-case), in a form an index can seek.

    SQLite's LIKE ignores case and so never uses a binary index: the equivalent half-open range
    `[prefix, prefix with its last character incremented)` does. PostgreSQL seeks
    `LIKE 'prefix%'` on the `text_pattern_ops` index under any collation.
    """
    prefix = prefix.upper()
    if dialect == "postgresql":
        return ShipmentRow.tracking_number.like(_like_prefix(prefix), escape="\\")
    upper_bound = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return and_(ShipmentRow.tracking_number >= prefix, ShipmentRow.tracking_number < upper_bound)


def range_clauses(f: ShipmentFilter, dialect: str) -> list[ColumnElement[bool]]:
    """The filters that are index ranges rather than equalities."""
    ranges: list[ColumnElement[bool]] = []
    if f.tracking_number_prefix:
        ranges.append(prefix_condition(f.tracking_number_prefix, dialect))
    if f.updated_since is not None:
        ranges.append(ShipmentRow.updated_at >= f.updated_since)
    return ranges


def column_clauses(merchant_id: str, f: ShipmentFilter, dialect: str) -> list[ColumnElement[bool]]:
    """The merchant's live shipments matching every filter but `destination` (see `sync.shipment_listing`)."""
    clauses: list[ColumnElement[bool]] = [ShipmentRow.merchant_id == merchant_id, ShipmentRow.deleted_at.is_(None)]
    equal = {
        ShipmentRow.status: str(f.status) if f.status else None,
        ShipmentRow.carrier: f.carrier,
        ShipmentRow.order_id: f.order_id,
        ShipmentRow.payment_intent_id: f.payment_intent_id,
        ShipmentRow.customer_email: f.customer_email,
        ShipmentRow.destination_country: f.destination_country,
    }
    clauses.extend(column == value for column, value in equal.items() if value is not None)
    clauses.extend(range_clauses(f, dialect))
    if f.search:
        clauses.append(_search_clause(f.search))
    return clauses


@dataclass(frozen=True, slots=True)
class Position:
    """Where a page starts or ends: the row's id and, in the updated_at order, its updated_at."""

    id: int
    updated_at: datetime | None


def _checksum(payload: bytes) -> bytes:
    return hashlib.blake2b(payload, digest_size=_CHECKSUM_BYTES, person=_CHECKSUM_PERSON).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode_cursor(row: ShipmentRow, sort: SortOrder) -> str:
    """The opaque cursor of `row`'s position in the `sort` order."""
    return encode_position(Position(row.id, row.updated_at), sort)


def encode_position(position: Position, sort: SortOrder) -> str:
    """The opaque cursor of a position (benchmarks start deep pages anywhere with it)."""
    body: dict[str, object] = {"s": sort, "id": position.id}
    if sort == "updated_at":
        if position.updated_at is None:
            raise CursorError("a position in the updated_at order needs its updated_at")
        body["u"] = position.updated_at.isoformat()
    payload = json.dumps(body, separators=(",", ":")).encode()
    return f"{_b64(payload)}.{_b64(_checksum(payload))}"


def decode_cursor(cursor: str, sort: SortOrder) -> Position:
    """The position a cursor names; CursorError when it is malformed, edited or of another order."""
    try:
        encoded, sep, check = cursor.partition(".")
        payload = _unb64(encoded)
        if not sep or not hmac.compare_digest(_unb64(check), _checksum(payload)):
            raise CursorError("malformed cursor")
        body = json.loads(payload)
        if not isinstance(body, dict) or body.get("s") != sort:
            raise CursorError("the cursor belongs to a listing in another order")
        last_id = body["id"]
        if not isinstance(last_id, int) or isinstance(last_id, bool):
            raise CursorError("malformed cursor")
        updated = datetime.fromisoformat(body["u"]) if sort == "updated_at" else None
    except CursorError:
        raise
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise CursorError("malformed cursor") from None
    return Position(last_id, updated)
