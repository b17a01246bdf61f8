"""The UPS 1Z shortcut gives the package's own verdict: compared with `definition.test` over published
numbers, their one-character mutations and generated shapes (spaces and lower case included)."""

from __future__ import annotations

import string

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.unit.domain.test_tracking_number_order import CORPUS, LETTER_CHECK_DIGIT

from parcelsync.domain.tracking_numbers import (
    _LIBRARY_FORMATS,
    _library_match,
    _Match,
    _package_match,
    ups_check_digit,
)

UPS = next(spec for spec in _LIBRARY_FORMATS if spec.product == "UPS")
ALPHABET = string.digits + string.ascii_uppercase


def valid_number(i: int) -> str:
    body = f"{i:06d}A{i % 97:08d}"[-15:]
    return f"1Z{body}{ups_check_digit(body)}"


def package_verdict(number: str) -> _Match | None:
    return _package_match(UPS, number)


def test_the_shortcut_agrees_with_the_package_over_the_corpus() -> None:
    numbers = [*CORPUS, LETTER_CHECK_DIGIT, *(valid_number(i) for i in range(0, 20_000, 37))]
    for number in numbers:
        assert _library_match(UPS, number) == package_verdict(number), number
    verdicts = [package_verdict(n) for n in numbers]
    assert any(v is not None and v.check_digit_valid for v in verdicts)
    assert any(v is not None and v.check_digit_valid is False for v in verdicts)


@settings(max_examples=500, deadline=None)
@given(body=st.text(alphabet=ALPHABET, min_size=14, max_size=18))
def test_the_shortcut_agrees_with_the_package_on_1z_shapes(body: str) -> None:
    assert _library_match(UPS, "1Z" + body) == package_verdict("1Z" + body)


@settings(max_examples=300, deadline=None)
@given(number=st.text(alphabet=ALPHABET + " z-", min_size=0, max_size=22))
def test_the_shortcut_agrees_with_the_package_on_any_short_text(number: str) -> None:
    assert _library_match(UPS, number) == package_verdict(number)
