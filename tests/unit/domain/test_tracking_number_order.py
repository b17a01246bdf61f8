"""The named carrier's formats are tried first: the verdict is the one a scan of every format gives.

`check()` stops at the first valid format of the carrier the caller named; these tests compare that
shortcut with the full priority scan over a corpus (published numbers, their one-character
mutations, and generated shapes) for every carrier, and pin a number the package used to raise on.
"""

from __future__ import annotations

import itertools
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.domain.test_tracking_numbers import PUBLISHED_BAD_CHECK_DIGIT, PUBLISHED_VALID

from parcelsync.connectors.carriers import default_registry
from parcelsync.domain.carrier_data import S10_OPERATORS
from parcelsync.domain.tracking_numbers import (
    _LIBRARY_FORMATS,
    _PREFIX_FORMATS,
    InvalidTrackingNumber,
    _Match,
    _matches,
    _own_valid_match,
    check,
)
from parcelsync.ingest.errors import InvalidInput
from parcelsync.ingest.schema import ShipmentIn, normalize

LETTER_CHECK_DIGIT = "1ZKQLZ60XTJNFU8RMO"
"""UPS 1Z shape with a letter where the check digit goes: the package's int() of it raised ValueError."""

CARRIERS = sorted(
    {c for _, _, c in _PREFIX_FORMATS}
    | {c for spec in _LIBRARY_FORMATS for c in spec.carriers}
    | {S10_OPERATORS[country] for country in ("CN", "US", "GB", "DE")}
    | set(PUBLISHED_VALID)
    | {"other"}
)
SEEDS = [n for numbers in PUBLISHED_VALID.values() for n in numbers] + [n for n, _ in PUBLISHED_BAD_CHECK_DIGIT] + [
    LETTER_CHECK_DIGIT, "LA12345678" "5CN", "EE123456785US", "TBA123456789012", "C12345678901234",
    "SF1234567890123", "JT1234567890123", "LP12345678901234", "GM1234567890", "JJD0099999999",
]  # fmt: skip


def scan_first_valid(number: str, carrier: str) -> _Match | None:
    """The reference: the first format in the full priority scan that is valid and names the carrier."""
    return next((m for m in _matches(number) if m.check_digit_valid is not False and carrier in m.carriers), None)


def mutations(number: str) -> list[str]:
    """The number with each position replaced by a few digits and letters (shape kept or broken)."""
    out = []
    for index, replacement in itertools.product(range(len(number)), "0179AZ"):
        out.append(number[:index] + replacement + number[index + 1 :])
    return out


CORPUS = sorted({m for seed in SEEDS for m in [seed, *mutations(seed)]})


@pytest.mark.parametrize("carrier", CARRIERS)
def test_first_own_format_is_the_scans_first_valid_one_over_the_corpus(carrier: str) -> None:
    for number in CORPUS:
        assert _own_valid_match(number, carrier) == scan_first_valid(number, carrier), number


@settings(max_examples=400, deadline=None)
@given(
    prefix=st.sampled_from(["", "1Z", "TBA", "C", "YT", "GM", "SF", "JT", "LP", "JJD", "LA", "EE", "RB", "96", "420"]),
    body=st.text(alphabet=string.digits + "ABCDEZ", min_size=2, max_size=34),
    carrier=st.sampled_from(CARRIERS),
)
def test_first_own_format_is_the_scans_first_valid_one_for_generated_shapes(
    prefix: str, body: str, carrier: str
) -> None:
    number = prefix + body
    assert _own_valid_match(number, carrier) == scan_first_valid(number, carrier)


def test_a_letter_in_the_ups_check_digit_position_is_a_bad_check_digit_not_a_crash() -> None:
    for carrier in ("ups", None, "fedex"):
        with pytest.raises(InvalidTrackingNumber) as caught:
            check(LETTER_CHECK_DIGIT, carrier, default_registry())
        assert caught.value.field == "tracking_number"
        assert "check digit" in caught.value.reason


def test_the_shipment_with_that_number_is_rejected_naming_tracking_number() -> None:
    item = ShipmentIn(tracking_number=LETTER_CHECK_DIGIT, carrier="ups")
    with pytest.raises(InvalidInput) as caught:
        normalize(item, default_registry())
    assert [e.field for e in caught.value.errors] == ["tracking_number"]
