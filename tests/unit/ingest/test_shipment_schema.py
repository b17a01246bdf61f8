"""ShipmentIn validation, normalisation and the content hash (pure: no database)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from parcelsync.connectors.carriers import default_registry
from parcelsync.domain.provider import Provider
from parcelsync.ingest.connection_input import check_credentials, check_options
from parcelsync.ingest.demo import demo_shipments
from parcelsync.ingest.errors import InvalidInput, pydantic_field_errors
from parcelsync.ingest.schema import (
    HASHED_FIELDS,
    SHIPMENT_FIELDS,
    ShipmentIn,
    ShipmentPatch,
    canonical_json,
    normalize,
)
from parcelsync.ingest.service import parse_item

UPS = "1Z5R89390357567127"


def errors_of(raw: dict[str, object]) -> dict[str, str]:
    with pytest.raises(InvalidInput) as caught:
        parse_item(raw, default_registry())
    return {e.field: e.reason for e in caught.value.errors}


def test_the_fields_are_the_domain_shipment_fields() -> None:
    assert SHIPMENT_FIELDS == (
        "tracking_number", "carrier", "tracking_url", "order_id", "fulfillment_id", "payment_intent_id",
        "payment_gateway", "title", "logistics_channel", "customer_name", "customer_email", "customer_phone",
        "destination_country", "ship_date", "order_value", "currency", "status",
    )  # fmt: skip


def test_unknown_fields_are_rejected_by_name() -> None:
    assert errors_of({"tracking_number": UPS, "tracking_numbr": "x"}) == {"tracking_numbr": "unknown field"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("tracking_url", "javascript:alert(1)"),
        ("tracking_url", "ftp://example.com/x"),
        ("tracking_url", "https://"),
        ("tracking_url", "https://example.com/" + "a" * 2048),
        ("customer_email", "not-an-email"),
        ("customer_phone", "call me maybe"),
        ("destination_country", "XX"),
        ("destination_country", "USA"),
        ("ship_date", "01/06/2024"),
        ("status", "lost"),
        ("order_id", "x" * 129),
    ],
)
def test_bad_values_name_their_field(field: str, value: str) -> None:
    assert field in errors_of({"tracking_number": UPS, field: value})


def test_blank_strings_mean_not_given_and_values_are_normalised() -> None:
    item = parse_item(
        {
            "tracking_number": " 1z5r-8939 0357567127 ",
            "carrier": "",
            "order_id": "  ",
            "customer_email": " Jane.Doe@Example.COM ",
            "destination_country": "gb",
            "ship_date": "2024-05-01",
            "status": "",
        },
        default_registry(),
    )
    assert (item.tracking_number, item.carrier, item.order_id) == (UPS, "ups", None)
    assert (item.customer_email, item.destination_country, item.ship_date) == (
        "jane.doe@example.com",
        "GB",
        date(2024, 5, 1),
    )
    assert item.status is None and item.flags == ()


def test_carrier_aliases_are_canonicalised() -> None:
    codes = {
        parse_item({"tracking_number": "ABCD12345", "carrier": c}, default_registry()).carrier
        for c in ("4PX", "4px", "fourpx")
    }
    assert codes == {"4px"}


def test_a_failed_check_digit_and_an_undetectable_carrier_name_their_fields() -> None:
    assert "check digit" in errors_of({"tracking_number": "1Z5R89390357567128"})["tracking_number"]
    assert "carrier" in errors_of({"tracking_number": "ABCD12345"})


def test_unknown_format_with_a_carrier_is_accepted_but_flagged() -> None:
    item = parse_item({"tracking_number": "ABCD12345", "carrier": "yunexpress"}, default_registry())
    assert "unknown_format" in item.flags


def test_content_hash_ignores_formatting_and_status_but_not_content() -> None:
    registry = default_registry()
    base = parse_item({"tracking_number": UPS, "title": "Mug", "customer_email": "a@b.com"}, registry)
    same = parse_item({"tracking_number": f" {UPS.lower()} ", "title": " Mug ", "customer_email": "A@B.com",
                       "status": "delivered"}, registry)  # fmt: skip
    other = parse_item({"tracking_number": UPS, "title": "Mugs", "customer_email": "a@b.com"}, registry)
    assert base.content_hash == same.content_hash != other.content_hash
    assert len(base.content_hash) == 64


def test_the_hash_of_a_known_shipment_is_the_one_stored_before() -> None:
    """Pinned: hashes stored by earlier versions (json.dumps) must still compare equal."""
    item = parse_item({"tracking_number": UPS, "title": "Mug", "customer_email": "a@b.com"}, default_registry())
    assert item.content_hash == "41a845fde3fed3ab03f4717d707c4d1ef3af2a19751c1ade5eee4f778c04620f"


def _reference(canonical: dict[str, str | None]) -> bytes:
    return json.dumps(canonical, sort_keys=True, separators=(",", ":")).encode()


@pytest.mark.parametrize("value", [chr(c) for c in range(128)] + ["é", "日本", "\u2028", "\ud800", "a\x7fb", "😀"])
def test_canonical_json_is_byte_for_byte_json_dumps(value: str) -> None:
    canonical = {"title": value, "carrier": "ups", "order_id": None, f"k{value}": "x"}
    assert canonical_json(canonical) == _reference(canonical)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(HASHED_FIELDS), st.none() | st.text()))
def test_canonical_json_matches_json_dumps_on_any_text(canonical: dict[str, str | None]) -> None:
    assert canonical_json(canonical) == _reference(canonical)


def test_patch_knows_which_fields_were_sent() -> None:
    patch = ShipmentPatch.model_validate({"title": "x", "customer_email": None})
    assert patch.changes() == {"title": "x", "customer_email": None}
    with pytest.raises(ValidationError):
        ShipmentPatch.model_validate({"colour": "red"})


def test_pydantic_errors_drop_the_request_part_prefix() -> None:
    with pytest.raises(ValidationError) as caught:
        ShipmentIn.model_validate({"tracking_number": 5})
    fields = pydantic_field_errors([{**e, "loc": ("body", *e["loc"])} for e in caught.value.errors()])
    assert [f.field for f in fields] == ["tracking_number"]
    assert pydantic_field_errors([{"loc": (), "type": "model_type", "msg": "x"}], whole="item")[0].field == "item"


def test_demo_shipments_all_pass_their_check_digits() -> None:
    items = demo_shipments(50)
    parsed = [normalize(ShipmentIn.model_validate(i), default_registry()) for i in items]
    assert len({(p.carrier, p.tracking_number) for p in parsed}) == 50
    assert all(p.flags == () for p in parsed)
    assert {p.carrier for p in parsed} >= {"ups", "china-post", "royal-mail", "yunexpress"}


def test_connection_input_checks() -> None:
    with pytest.raises(InvalidInput) as caught:
        check_credentials(Provider.SHOPLINE, {"handle": " ", "token": "x"}, complete=True)
    assert {e.field for e in caught.value.errors} == {
        "credentials.handle",
        "credentials.token",
        "credentials.access_token",
    }
    assert check_options(Provider.USEEPAY, {}, fill_defaults=True) == {"api_version": "2024-08"}
    assert check_options(Provider.USEEPAY, {}, fill_defaults=False) == {}
