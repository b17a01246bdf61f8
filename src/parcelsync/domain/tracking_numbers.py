"""Tracking numbers: normalisation, carrier detection and check-digit validation.

Formats and check digits come from the `tracking-numbers` package (a port of
jkeen/tracking_number_data) where it is right. UPU S10 is done here: the package only accepts
country suffixes on its own list and rejects valid numbers such as UG198768340YP. A few
prefix formats of cross-border carriers without check digits are added here too.

Formats are *strong* (a prefix or letter pattern that only that carrier uses: UPS 1Z, S10,
YT..., TBA...) or *weak* (all digits, where a random number passes a mod-10 check one time in
ten). A weak format of another carrier never overrides the caller's carrier, and a failed weak
check only rejects a number when the caller named that carrier.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from tracking_numbers import DEFINITIONS
from tracking_numbers.definition import TrackingNumberDefinition

from parcelsync.domain.carrier_data import S10_EMS_OPERATORS, S10_OPERATORS
from parcelsync.domain.carriers import CarrierRegistry, alias_key

UNKNOWN_FORMAT = "unknown_format"
CARRIER_MISMATCH = "carrier_mismatch"
UNKNOWN_CARRIER = "unknown_carrier"

_VALID_SHAPE = re.compile(r"[A-Z0-9]{4,40}")
_DASHES = re.compile(r"[-\u2010-\u2015\u2212]")


class InvalidTrackingNumber(ValueError):
    """A tracking number (or its carrier) that cannot be accepted; the API answers 422."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True, slots=True)
class TrackingCheck:
    """The verdict on one tracking number: normalised number, carrier and what was checked."""

    number: str
    carrier: str
    known_format: bool
    check_digit_valid: bool | None
    flags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Match:
    label: str
    carriers: tuple[str, ...]
    strong: bool
    check_digit_valid: bool | None


@dataclass(frozen=True, slots=True)
class _LibraryFormat:
    product: str
    label: str
    carriers: tuple[str, ...]
    strong: bool
    strict: bool = True
    """strict: a failed non-checksum rule of the package (e.g. service type) means "not this format"."""


def normalize(raw: str) -> str:
    """Upper-case, without whitespace or dashes: ' 1z-999 aa1 ' -> '1Z999AA1'."""
    return _DASHES.sub("", "".join(raw.upper().split()))


def s10_check_digit(serial: str) -> int:
    """UPU S10 check digit of an 8-digit serial: weights 8,6,4,2,3,5,9,7; 11 - sum mod 11, 10->0, 11->5."""
    total = sum(int(digit) * weight for digit, weight in zip(serial, (8, 6, 4, 2, 3, 5, 9, 7), strict=True))
    check = 11 - total % 11
    return {10: 0, 11: 5}.get(check, check)


def ups_check_digit(body: str) -> int:
    """UPS 1Z check digit of the 15 characters after '1Z' (letters count as (ord - 3) mod 10)."""
    values = [int(ch) if ch.isdigit() else (ord(ch) - 3) % 10 for ch in body]
    total = sum(value * (2 if index % 2 else 1) for index, value in enumerate(values))
    return (10 - total % 10) % 10


_S10 = re.compile(r"(?P<service>[A-Z]{2})(?P<serial>[0-9]{8})(?P<check>[0-9])(?P<country>[A-Z]{2})")
_S10_SERVICE = re.compile(r"[ELMRUVCH][A-Z]|Q[A-M]|[BDNPZ][A-Z]|A[V-Z]|G[AD]")

_PREFIX_FORMATS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"YT[0-9]{16}"), "YunExpress YT", "yunexpress"),  # jkeen/tracking_number_data
    (re.compile(r"GM[0-9]{10,39}"), "DHL eCommerce GM", "dhl-ecommerce"),  # jkeen/tracking_number_data
    (re.compile(r"J[A-Z]{2,3}[0-9]{9,10}"), "DHL Express piece ID", "dhl"),  # jkeen/tracking_number_data
    (re.compile(r"SF[0-9]{13}"), "SF Express SF", "sf-express"),
    (re.compile(r"JT[0-9]{13}"), "J&T Express JT", "jt-express"),
    (re.compile(r"LP[0-9]{14}"), "Cainiao LP", "cainiao"),
)

# Priority order: strong formats first, then the longer numeric forms before the shorter.
# Checked after S10 and the prefix formats (see _matches).
_LIBRARY_FORMATS: tuple[_LibraryFormat, ...] = (
    _LibraryFormat("UPS", "UPS 1Z", ("ups",), strong=True, strict=False),
    _LibraryFormat("Amazon Logistics", "Amazon TBA", ("amazon",), strong=True),
    _LibraryFormat("OnTrac", "OnTrac C", ("ontrac",), strong=True),
    _LibraryFormat("USPS 34v2", "USPS IMpb (34)", ("usps",), strong=False),
    _LibraryFormat("FedEx Express (34)", "FedEx Express (34)", ("fedex",), strong=False),
    _LibraryFormat("FedEx Ground GSN", "FedEx Ground GSN (34)", ("fedex",), strong=False),
    _LibraryFormat("USPS 91", "USPS IMpb", ("usps",), strong=False),
    _LibraryFormat("USPS 20", "USPS 20-digit", ("usps",), strong=False),
    _LibraryFormat("FedEx SmartPost", "FedEx SmartPost", ("fedex",), strong=False),
    _LibraryFormat("FedEx Ground 96 (22)", "FedEx Ground 96 (22)", ("fedex",), strong=False),
    _LibraryFormat("FedEx Ground (SSCC-18)", "FedEx Ground SSCC-18", ("fedex",), strong=False),
    _LibraryFormat("FedEx Ground", "FedEx Ground (15)", ("fedex",), strong=False),
    _LibraryFormat("FedEx Express (12)", "FedEx Express (12)", ("fedex",), strong=False),
    _LibraryFormat("DHL Express", "DHL Express (10)", ("dhl",), strong=False),
    _LibraryFormat("DHL Express Air", "DHL Express (11)", ("dhl",), strong=False),
)

_DEFINITIONS: dict[str, TrackingNumberDefinition] = {d.product.name: d for d in DEFINITIONS}


def _s10_match(number: str) -> _Match | None:
    found = _S10.fullmatch(number)
    if found is None or not _S10_SERVICE.fullmatch(found["service"]):
        return None
    country = found["country"]
    carriers = [S10_EMS_OPERATORS[country]] if found["service"][0] == "E" and country in S10_EMS_OPERATORS else []
    if country in S10_OPERATORS:
        carriers.append(S10_OPERATORS[country])
    valid = s10_check_digit(found["serial"]) == int(found["check"])
    return _Match(f"UPU S10 ({country})", tuple(carriers), True, valid)


_UPS_1Z = re.compile(r"1Z[A-Z0-9]{16}")


def _ups_1z(number: str) -> bool | None:
    """The package's UPS 1Z verdict on a number of ASCII letters and digits, without building its objects:
    None when it is not of that shape, else whether the check digit matches (a letter there never does).

    On such a number the package's pattern (which allows spaces between characters) is exactly `_UPS_1Z`,
    its checksum (mod 10, odd positions doubled, letters as (ord - 3) mod 10) is `ups_check_digit`, and
    its service-type rule is not strict here. The UPS number of a batch takes this path.
    """
    if not _UPS_1Z.fullmatch(number):
        return None
    return number[17].isdigit() and ups_check_digit(number[2:17]) == int(number[17])


def _library_match(spec: _LibraryFormat, number: str) -> _Match | None:
    if spec.product == "UPS" and number.isascii() and number.isalnum():
        valid = _ups_1z(number)
        return None if valid is None else _Match(spec.label, spec.carriers, spec.strong, valid)
    return _package_match(spec, number)


def _package_match(spec: _LibraryFormat, number: str) -> _Match | None:
    """The package's verdict on one of its formats."""
    definition = _DEFINITIONS[spec.product]
    try:
        result = definition.test(number)
    except ValueError:
        # The package reads the check digit with int(): a letter there (1ZKQLZ60XTJNFU8RMO) has the
        # format's shape and a check digit that cannot match.
        return _Match(spec.label, spec.carriers, spec.strong, False)
    if result is None:
        return None
    kinds = {kind for kind, _ in result.validation_errors}
    if spec.strict and kinds - {"checksum"}:
        return None
    valid = None if definition.checksum_validator is None else "checksum" not in kinds
    return _Match(spec.label, spec.carriers, spec.strong, valid)


def _matches(number: str) -> Iterator[_Match]:
    """Every known format the number has the shape of, valid or not, in priority order."""
    if (s10 := _s10_match(number)) is not None:
        yield s10
    for pattern, label, carrier in _PREFIX_FORMATS:
        if pattern.fullmatch(number):
            yield _Match(label, (carrier,), True, None)
    for spec in _LIBRARY_FORMATS:
        if (found := _library_match(spec, number)) is not None:
            yield found


_OWN_PREFIX_FORMATS: dict[str, tuple[tuple[re.Pattern[str], str], ...]] = {
    carrier: tuple((pattern, label) for pattern, label, c in _PREFIX_FORMATS if c == carrier)
    for _, _, carrier in _PREFIX_FORMATS
}
_OWN_LIBRARY_FORMATS: dict[str, tuple[_LibraryFormat, ...]] = {
    carrier: tuple(spec for spec in _LIBRARY_FORMATS if carrier in spec.carriers)
    for spec in _LIBRARY_FORMATS
    for carrier in spec.carriers
}


def _own_valid_match(number: str, carrier: str) -> _Match | None:
    """The first valid format of the named carrier, in `_matches` priority order (None: look at all).

    A shipment usually names its carrier and has that carrier's format: checking those few formats
    first, and stopping at the first valid one, gives the verdict without trying every other format.
    """
    if (s10 := _s10_match(number)) is not None and s10.check_digit_valid is not False and carrier in s10.carriers:
        return s10
    for pattern, label in _OWN_PREFIX_FORMATS.get(carrier, ()):
        if pattern.fullmatch(number):
            return _Match(label, (carrier,), True, None)
    for spec in _OWN_LIBRARY_FORMATS.get(carrier, ()):
        found = _library_match(spec, number)
        if found is not None and found.check_digit_valid is not False:
            return found
    return None


def _bad_check_digit(match: _Match) -> InvalidTrackingNumber:
    return InvalidTrackingNumber("tracking_number", f"check digit does not match: not a valid {match.label} number")


def _carrier_required(detail: str) -> InvalidTrackingNumber:
    return InvalidTrackingNumber("carrier", f"carrier required: {detail}")


def check(raw: str, carrier: str | None, registry: CarrierRegistry) -> TrackingCheck:
    """Normalise and validate a tracking number, detecting its carrier unless the caller names one.

    Raises InvalidTrackingNumber for: no usable characters, a failed check digit of a format
    that is clearly (or, by the caller's carrier, said to be) a known carrier's, and a number
    of unknown format or unknown operator without a carrier. `registry` resolves the caller's
    carrier (`connectors.carriers.default_registry`, or a merchant's with its overrides).
    """
    number = normalize(raw)
    if not _VALID_SHAPE.fullmatch(number):
        raise InvalidTrackingNumber(
            "tracking_number", "must be 4 to 40 letters or digits once spaces and dashes are removed"
        )
    explicit = registry.canonical(carrier) if carrier and alias_key(carrier) else None
    flags = (UNKNOWN_CARRIER,) if explicit and registry.resolve(explicit) is None else ()
    if explicit is not None and (first := _own_valid_match(number, explicit)) is not None:
        return TrackingCheck(number, explicit, True, first.check_digit_valid, flags)
    matches = list(_matches(number))
    valid = [m for m in matches if m.check_digit_valid is not False]
    failed = [m for m in matches if m.check_digit_valid is False]

    if explicit is None:
        if valid:
            if not valid[0].carriers:
                raise _carrier_required(f"{valid[0].label} numbers have no carrier in the registry")
            return TrackingCheck(number, valid[0].carriers[0], True, valid[0].check_digit_valid)
        if strong_failed := [m for m in failed if m.strong]:
            raise _bad_check_digit(strong_failed[0])
        looks_like = f" (it looks like {failed[0].label} but its check digit does not match)" if failed else ""
        raise _carrier_required(f"the number matches no known format{looks_like}")

    if own := [m for m in valid if explicit in m.carriers]:
        return TrackingCheck(number, explicit, True, own[0].check_digit_valid, flags)
    if strong := [m for m in valid if m.strong]:
        mismatch = (CARRIER_MISMATCH,) if strong[0].carriers else ()
        return TrackingCheck(number, explicit, True, strong[0].check_digit_valid, (*flags, *mismatch))
    if rejected := [m for m in failed if m.strong or explicit in m.carriers]:
        raise _bad_check_digit(rejected[0])
    return TrackingCheck(number, explicit, False, None, (*flags, UNKNOWN_FORMAT))
