"""Tracking numbers: normalisation, detection, check digits and flags.

Valid/invalid numbers marked "published" are the test numbers of jkeen/tracking_number_data
(couriers/ups.json, fedex.json, usps.json, s10.json, dhl.json, yunexpress.json).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parcelsync.connectors.carriers import default_registry
from parcelsync.domain.carrier_data import S10_OPERATORS
from parcelsync.domain.carriers import CarrierRegistry
from parcelsync.domain.tracking_numbers import (
    CARRIER_MISMATCH,
    UNKNOWN_CARRIER,
    UNKNOWN_FORMAT,
    InvalidTrackingNumber,
    TrackingCheck,
    normalize,
    s10_check_digit,
    ups_check_digit,
)
from parcelsync.domain.tracking_numbers import (
    check as check_with,
)


def check(raw: str, carrier: str | None = None, registry: CarrierRegistry | None = None) -> TrackingCheck:
    """`check` against the connectors' registry unless a test brings its own."""
    return check_with(raw, carrier, registry=registry or default_registry())


PUBLISHED_VALID = {
    "ups": ["1Z5R89390357567127", "1Z879E930346834440", "1Z410E7W0392751591", "1Z8V92A70367203024"],
    "fedex": [
        "986578788855", "477179081230", "799531274483", "790535312317", "974367662710",  # Express 12
        "1001921334250001000300779017972697", "1002297871540001000300790695517286",  # Express 34
        "61299998820821171811",  # SmartPost 20
        "041441760228964", "568283610012000", "568283610012734",  # Ground 15
        "000123450000000027",  # SSCC-18
        "9611020987654312345672",  # Ground 96 (22)
        "9622001900000000000000776632517510", "9632001560123456789900794808390594",  # GSN 34
    ],
    "usps": [
        "71123456789123456787",  # 20-digit
        "9505511069605048600624", "9101123456789000000013", "9400111201080805483016",
        "9361289878700317633795", "9405803699300124287899",  # IMpb 22
        "92748931507708513018050063",  # 26
        "420221539101026837331000039521",  # 420 + ZIP + 22
        "4201002334249200190132607600833457", "4201028200009261290113185417468510",  # 34v2
    ],
    "royal-mail": ["RB123456785GB"],
    "dhl": ["3318810025", "8487135506", "1099255990", "73891051146", "JJD0099999999"],
    "yunexpress": ["YT2229521272164446"],
}  # fmt: skip

PUBLISHED_BAD_CHECK_DIGIT = [
    ("1Z1111111111111111", "ups"),
    ("996578788855", "fedex"),
    ("1001901781990001000300617767839438", "fedex"),
    ("9261292700768711948020", "fedex"),
    ("568283610012732", "fedex"),
    ("9600000000000000000001", "fedex"),
    ("9622001560001234567100794808390595", "fedex"),
    ("4201028200009261290113185417468511", "usps"),
    ("03071790000523483742", "usps"),
    ("9200000000000000000000", "usps"),
    ("RB123456786US", "usps"),
    ("3318810010", "dhl"),
    ("3318810034", "dhl"),
]


@pytest.mark.parametrize(("carrier", "number"), [(c, n) for c, ns in PUBLISHED_VALID.items() for n in ns])
def test_published_valid_numbers_are_detected(carrier: str, number: str) -> None:
    result = check(number)
    assert result.carrier == carrier
    assert result.known_format is True
    assert result.check_digit_valid in (True, None)
    assert result.flags == ()


@pytest.mark.parametrize(("carrier", "number"), [(c, n) for c, ns in PUBLISHED_VALID.items() for n in ns])
def test_published_valid_numbers_pass_with_their_own_carrier(carrier: str, number: str) -> None:
    assert check(number, carrier) == TrackingCheck(number, carrier, True, check(number).check_digit_valid)


@pytest.mark.parametrize(("number", "carrier"), PUBLISHED_BAD_CHECK_DIGIT)
def test_published_bad_check_digits_are_rejected_for_their_carrier(number: str, carrier: str) -> None:
    with pytest.raises(InvalidTrackingNumber) as caught:
        check(number, carrier)
    assert caught.value.field == "tracking_number"
    assert "check digit" in caught.value.reason
    assert isinstance(caught.value, ValueError)


def test_check_digit_flag_is_true_when_verified_and_none_when_format_has_none() -> None:
    assert check("1Z879E930346834440").check_digit_valid is True
    assert check("RB123456785GB").check_digit_valid is True
    assert check("YT2229521272164446").check_digit_valid is None
    assert check("TBA123456789012").carrier == "amazon"
    assert check("TBA123456789012").check_digit_valid is None


def test_strong_format_with_bad_check_digit_raises_even_without_carrier() -> None:
    for number in ("1Z5R89390357567128", "RB123456784GB"):
        with pytest.raises(InvalidTrackingNumber) as caught:
            check(number)
        assert caught.value.field == "tracking_number"


def test_strong_format_with_bad_check_digit_raises_whatever_carrier_is_named() -> None:
    with pytest.raises(InvalidTrackingNumber, match="UPS 1Z"):
        check("1Z5R89390357567128", "yunexpress")


def test_upu_s10_example_from_the_issue() -> None:
    assert s10_check_digit("19876834") == 0
    result = check("UG198768340YP", "china post")
    assert result == TrackingCheck("UG198768340YP", "china-post", True, True)
    with pytest.raises(InvalidTrackingNumber) as caught:
        check("UG198768341YP", "china-post")
    assert caught.value.field == "tracking_number"


def test_s10_remainder_edge_cases() -> None:
    assert s10_check_digit("00000000") == 5  # r = 0 -> 5
    assert s10_check_digit("00000008") == 0  # 8 * 7 = 56, r = 1 -> 0
    assert s10_check_digit("00000003") == 1  # 21, r = 10 -> 11 - 10
    assert s10_check_digit("10000000") == 3  # 8, r = 8 -> 3
    assert check("RR000000005CN").carrier == "china-post"
    assert check("RR000000080CN").carrier == "china-post"


@pytest.mark.parametrize(
    ("suffix", "carrier"),
    [("CN", "china-post"), ("GB", "royal-mail"), ("US", "usps"), ("JP", "japan-post"), ("KR", "korea-post"),
     ("AU", "australia-post"), ("CA", "canada-post"), ("FR", "la-poste"), ("DE", "deutsche-post"), ("NL", "postnl"),
     ("HK", "hong-kong-post"), ("SG", "singapore-post")],
)  # fmt: skip
def test_s10_country_suffix_maps_to_postal_carrier(suffix: str, carrier: str) -> None:
    assert check(f"LX123456785{suffix}").carrier == carrier


def test_s10_ems_from_china_is_china_ems() -> None:
    assert check("EA123456785CN").carrier == "china-ems"
    assert check("EA123456785CN", "china-post").flags == ()


def test_s10_from_unmapped_operator_needs_a_carrier() -> None:
    with pytest.raises(InvalidTrackingNumber) as caught:
        check("RB123456785CV")
    assert caught.value.field == "carrier"
    assert check("RB123456785CV", "usps") == TrackingCheck("RB123456785CV", "usps", True, True)


def test_helpers_reproduce_published_check_digits() -> None:
    assert ups_check_digit("5R8939035756712") == 7
    assert ups_check_digit("879E93034683444") == 0
    assert s10_check_digit("12345678") == 5


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(" 1z-5r89 3903 5756 7127\n", "1Z5R89390357567127"), ("rb 123–456–785 gb", "RB123456785GB"),
     ("\t0414 4176 0228 964 ", "041441760228964"), ("abc", "ABC")],
)  # fmt: skip
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_check_returns_the_normalised_number() -> None:
    assert check(" 1z5r8939-0357567127 ").number == "1Z5R89390357567127"


@pytest.mark.parametrize("raw", ["", "   ", "---", "ABC", "1Z5R8939#0357567127", "A" * 41, "ÄBCDEF"])
def test_empty_or_garbage_numbers_raise(raw: str) -> None:
    with pytest.raises(InvalidTrackingNumber) as caught:
        check(raw, "ups")
    assert caught.value.field == "tracking_number"
    assert caught.value.reason


def test_unknown_format_is_allowed_with_explicit_carrier_and_flagged() -> None:
    result = check("ZX-0001-2345", "ZTO")
    assert result == TrackingCheck("ZX00012345", "zto", False, None, (UNKNOWN_FORMAT,))


def test_unknown_format_without_carrier_requires_carrier() -> None:
    with pytest.raises(InvalidTrackingNumber) as caught:
        check("ZX00012345")
    assert caught.value.field == "carrier"
    assert caught.value.reason.startswith("carrier required")


def test_failed_weak_check_without_carrier_asks_for_carrier_and_says_why() -> None:
    with pytest.raises(InvalidTrackingNumber) as caught:
        check("996578788855")
    assert caught.value.field == "carrier"
    assert "FedEx" in caught.value.reason


def test_all_digit_number_of_another_carrier_is_not_rejected_for_a_weak_match() -> None:
    # 12 digits failing FedEx's check may well be a ZTO number: accepted, flagged unknown.
    assert check("996578788855", "zto").flags == (UNKNOWN_FORMAT,)
    # ... and 12 digits passing it is no proof either: no mismatch flag.
    assert check("986578788855", "zto").flags == (UNKNOWN_FORMAT,)


def test_conflicting_explicit_carrier_is_kept_and_flagged() -> None:
    result = check("1Z879E930346834440", "fedex")
    assert result.carrier == "fedex"
    assert result.known_format is True
    assert result.flags == (CARRIER_MISMATCH,)


def test_shared_formats_accept_either_carrier_without_mismatch() -> None:
    # 92... IMpb numbers are both USPS and FedEx SmartPost (delivered by USPS).
    assert check("9261292700768711948021").carrier == "usps"
    assert check("9261292700768711948021", "fedex").flags == ()


def test_carrier_aliases_are_resolved_to_canonical_codes() -> None:
    assert check("RB123456785GB", "Royal Mail").carrier == "royal-mail"
    assert check("YT2229521272164446", "Yun Express").carrier == "yunexpress"


def test_unregistered_carrier_is_kept_normalised_and_flagged() -> None:
    result = check("ZX00012345", "Bob's Couriers")
    assert result.carrier == "bobscouriers"
    assert result.flags == (UNKNOWN_CARRIER, UNKNOWN_FORMAT)


def test_blank_carrier_counts_as_none() -> None:
    assert check("1Z879E930346834440", "  ").carrier == "ups"


def test_custom_registry_is_used_for_resolving_the_carrier() -> None:
    registry = CarrierRegistry(default_registry().carriers[:3], default_registry().codes)
    assert check("RB123456785GB", "royal mail", registry).flags[0] == UNKNOWN_CARRIER


def test_every_detectable_carrier_is_in_the_registry() -> None:
    registry = default_registry()
    detected = {check(n).carrier for ns in PUBLISHED_VALID.values() for n in ns}
    detected |= {check(n).carrier for n in ("TBA123456789012", "SF1234567890123", "JT0001234567890",
                                             "LP00123456789012", "GM2951173225174494", "EA123456785CN")}  # fmt: skip
    detected |= set(S10_OPERATORS.values())
    assert all(registry.resolve(code) is not None and registry.resolve(code).code == code for code in detected)


@settings(deadline=None)
@given(st.text())
def test_normalize_is_idempotent(raw: str) -> None:
    once = normalize(raw)
    assert normalize(once) == once


@settings(deadline=None, max_examples=300)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=50), st.one_of(st.none(), st.text(max_size=20)))
def test_check_never_raises_anything_but_invalid_tracking_number(raw: str, carrier: str | None) -> None:
    try:
        result = check(raw, carrier)
    except InvalidTrackingNumber as error:
        assert error.field in {"tracking_number", "carrier"}
    else:
        assert result.number == normalize(raw)
        assert result.carrier


@settings(deadline=None)
@given(
    st.sampled_from(["RR", "LX", "CP", "UA", "RB"]),
    st.text(alphabet="0123456789", min_size=8, max_size=8),
    st.sampled_from(sorted(S10_OPERATORS)),
)
def test_any_well_formed_s10_number_is_accepted_and_any_other_check_digit_rejected(
    service: str, serial: str, country: str
) -> None:
    digit = s10_check_digit(serial)
    assert check(f"{service}{serial}{digit}{country}").carrier == S10_OPERATORS[country]
    with pytest.raises(InvalidTrackingNumber):
        check(f"{service}{serial}{(digit + 1) % 10}{country}")


@settings(deadline=None)
@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=15, max_size=15))
def test_any_ups_number_with_its_check_digit_is_ups(body: str) -> None:
    digit = ups_check_digit(body)
    assert check(f"1Z{body}{digit}").carrier == "ups"
    with pytest.raises(InvalidTrackingNumber):
        check(f"1Z{body}{(digit + 1) % 10}")
