"""The one shipment cursor codec and filter normalisation (no database)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest

from parcelsync.connectors.carriers import default_registry
from parcelsync.db.queries.shipment_filter import (
    CursorError,
    DestinationFilter,
    Position,
    ShipmentFilter,
    SortOrder,
    decode_cursor,
    encode_cursor,
    encode_position,
)
from parcelsync.db.tables import ShipmentRow
from parcelsync.domain.provider import Provider
from parcelsync.domain.status import DeliveryStatus, TargetState

UPDATED = datetime(2026, 3, 1, 8, 30, 15, 123456, tzinfo=UTC)


def row(ident: int = 41) -> ShipmentRow:
    return ShipmentRow(id=ident, updated_at=UPDATED)


@pytest.mark.parametrize(("sort", "position"), [("id", Position(41, None)), ("updated_at", Position(41, UPDATED))])
def test_a_cursor_names_the_position_it_was_made_from(sort: SortOrder, position: Position) -> None:
    cursor = encode_cursor(row(), sort)
    assert decode_cursor(cursor, sort) == position
    assert cursor.isascii() and all(c.isalnum() or c in "-_." for c in cursor)  # safe in a URL as is


@pytest.mark.parametrize(("sort", "position"), [("id", Position(7, None)), ("updated_at", Position(7, UPDATED))])
def test_a_position_alone_makes_the_same_cursor_as_its_row(sort: SortOrder, position: Position) -> None:
    assert encode_position(position, sort) == encode_cursor(row(7), sort)
    assert decode_cursor(encode_position(position, sort), sort) == position


def test_a_position_in_the_updated_at_order_needs_its_time() -> None:
    with pytest.raises(CursorError, match="needs its updated_at"):
        encode_position(Position(7, None), "updated_at")


def test_a_cursor_of_the_other_order_is_refused() -> None:
    with pytest.raises(CursorError, match="another order"):
        decode_cursor(encode_cursor(row(), "updated_at"), "id")


def _forge(body: dict[str, object], checksum_of: str) -> str:
    """A cursor with `body` as payload and the checksum of another, genuine cursor."""
    payload = base64.urlsafe_b64encode(json.dumps(body, separators=(",", ":")).encode()).decode().rstrip("=")
    return f"{payload}.{checksum_of.partition('.')[2]}"


def test_an_edited_cursor_is_refused() -> None:
    genuine = encode_cursor(row(41), "id")
    with pytest.raises(CursorError):
        decode_cursor(_forge({"s": "id", "id": 9_999}, genuine), "id")


@pytest.mark.parametrize(
    "garbage",
    ["", ".", "not-base64!", "e30", "e30.", "eyJzIjoiaWQiLCJpZCI6MTAwfQ", "eyJzIjoiaWQiLCJpZCI6MTAwfQ.AAAAAAAA",
     "%%%.%%%", "a" * 400, "42", "2026-03-01T08:30:15+00:00~41"],
)
def test_garbage_is_refused(garbage: str) -> None:
    with pytest.raises(CursorError):
        decode_cursor(garbage, "id")


def test_a_genuine_checksum_over_a_malformed_payload_is_still_refused() -> None:
    import hashlib

    for body in (b"[1]", b'{"s":"id","id":"7"}', b'{"s":"id","id":true}', b'{"s":"updated_at","id":1}', b"\xff"):
        digest = hashlib.blake2b(body, digest_size=6, person=b"ps-cursor").digest()
        cursor = f"{base64.urlsafe_b64encode(body).decode().rstrip('=')}.{base64.urlsafe_b64encode(digest).decode()}"
        with pytest.raises(CursorError):
            decode_cursor(cursor, "updated_at" if b"updated_at" in body else "id")


def test_the_filter_normalises_like_stored_values() -> None:
    f = ShipmentFilter.of(
        carriers=default_registry(), carrier="China Post", tracking_number_prefix=" lx-0001 ",
        customer_email=" Olivia@Example.COM ",
        destination_country="gb", search="  o-1001 ", status=DeliveryStatus.IN_TRANSIT,
    )
    assert (f.carrier, f.tracking_number_prefix, f.customer_email, f.destination_country, f.search) == (
        "china-post", "LX0001", "olivia@example.com", "GB", "o-1001",
    )
    assert ShipmentFilter.of(carriers=default_registry(), carrier="", search="   ", order_id="") == ShipmentFilter()


def test_a_destination_filter_reads_and_writes_its_form_value() -> None:
    parked = DestinationFilter(Provider.USEEPAY, TargetState.PARKED)
    assert DestinationFilter.parse(str(parked)) == parked
    assert DestinationFilter.parse("nowhere:parked") is None
    assert DestinationFilter.parse(f"{Provider.USEEPAY.value}:lost") is None
    assert DestinationFilter.parse("") is None
