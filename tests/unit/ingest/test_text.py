"""Look-alike identifiers are one identifier; control characters are refused in every text."""

from __future__ import annotations

import pytest

from parcelsync.ingest.schema import ShipmentIn
from parcelsync.ingest.text import UnacceptableText, check_text, identifier


@pytest.mark.parametrize("spelling", ["4px", "4px\u200b", "4\uff50x", "\u20604p\u200dx\ufeff", "４ｐｘ"])
def test_look_alike_spellings_of_an_identifier_are_one(spelling: str) -> None:
    assert identifier(spelling) == "4px"


@pytest.mark.parametrize("mixed", ["4p\u0445", "\u0410BC123", "ups\u03bf"])
def test_latin_mixed_with_cyrillic_or_greek_is_refused(mixed: str) -> None:
    with pytest.raises(UnacceptableText, match="mixes Latin letters"):
        identifier(mixed)


def test_an_identifier_wholly_in_another_script_is_kept() -> None:
    assert identifier("почта-123") == "почта-123"
    assert identifier("递四方") == "递四方"
    assert identifier("注文ABC-1") == "注文ABC-1"


@pytest.mark.parametrize("value", ["a\x00b", "esc\x1b[31m", "del\x7f", "c1\x85", "bell\x07"])
def test_control_characters_are_refused_everywhere(value: str) -> None:
    with pytest.raises(UnacceptableText, match="control characters"):
        check_text(value)
    with pytest.raises(UnacceptableText):
        identifier(value)


@pytest.mark.parametrize("value", ["line\nbreak", "tab\there", "crlf\r\n"])
def test_free_text_may_hold_line_breaks_and_tabs_an_identifier_may_not(value: str) -> None:
    assert check_text(value) == value
    with pytest.raises(UnacceptableText, match="control characters"):
        identifier(value)


def test_ordinary_text_passes_unchanged() -> None:
    assert check_text("Blue Harbor Outfitters") == "Blue Harbor Outfitters"
    assert check_text("Café «Zürich» ４") == "Café «Zürich» ４"  # free text is not normalised


def test_the_shipment_schema_applies_both_rules_naming_the_field() -> None:
    shipment = ShipmentIn(tracking_number="ABCD12345", carrier="4\uff50x\u200b", order_id="\uff2f-1", title="４ boxes")
    assert (shipment.carrier, shipment.order_id, shipment.title) == ("4px", "O-1", "４ boxes")
    for field, value in [("title", "a\x00"), ("carrier", "4p\u0445"), ("customer_name", "x\x1b"), ("order_id", "\x00")]:
        with pytest.raises(ValueError) as caught:
            ShipmentIn.model_validate({"tracking_number": "ABCD12345", "carrier": "4px", field: value})
        assert caught.value.errors()[0]["loc"] == (field,)  # type: ignore[attr-defined]
