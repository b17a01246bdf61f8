"""Order value input (ISO 4217, decimal strings) and the buyer e-mail mask."""

from __future__ import annotations

import pytest

from parcelsync.connectors.carriers import default_registry
from parcelsync.ingest.errors import InvalidInput
from parcelsync.ingest.schema import ShipmentIn, content_hash, normalize
from parcelsync.ingest.service import parse_item
from parcelsync.payments.evidence import mask_email

UPS = "1Z5R89390357567127"


def errors_of(raw: dict[str, object]) -> dict[str, str]:
    with pytest.raises(InvalidInput) as caught:
        parse_item(raw, default_registry())
    return {e.field: e.reason for e in caught.value.errors}


def test_value_is_canonicalised_to_the_currencys_minor_units() -> None:
    item = normalize(ShipmentIn(tracking_number=UPS, order_value="19.9", currency="usd"))
    assert (item.order_value, item.currency) == ("19.90", "USD")
    assert normalize(ShipmentIn(tracking_number=UPS, order_value="1200", currency="JPY")).order_value == "1200"
    assert normalize(ShipmentIn(tracking_number=UPS, order_value=5, currency="EUR")).order_value == "5.00"


@pytest.mark.parametrize(
    ("raw", "field", "reason"),
    [
        ({"order_value": "19.999", "currency": "USD"}, "order_value", "USD has 2 decimal place(s); got 3"),
        ({"order_value": "1.5", "currency": "JPY"}, "order_value", "JPY has 0 decimal place(s); got 1"),
        ({"order_value": "-3", "currency": "USD"}, "order_value", "non-negative decimal string"),
        ({"order_value": "1e3", "currency": "USD"}, "order_value", "non-negative decimal string"),
        ({"order_value": 19.99, "currency": "USD"}, "order_value", "decimal string"),
        ({"order_value": "10"}, "currency", "required with order_value"),
        ({"currency": "USD"}, "order_value", "required with currency"),
        ({"order_value": "10", "currency": "ABC"}, "currency", "ISO 4217"),
        ({"order_value": "10", "currency": "XXX"}, "currency", "ISO 4217"),
    ],
)
def test_bad_values_name_the_field(raw: dict[str, object], field: str, reason: str) -> None:
    errors = errors_of({"tracking_number": UPS, **raw})
    assert field in errors and reason in errors[field]


def test_rows_without_a_value_keep_their_stored_hash() -> None:
    """Adding the value fields must not make every stored shipment look changed."""
    item = normalize(ShipmentIn(tracking_number=UPS))
    without = {k: v for k, v in item.columns().items() if k not in ("order_value", "currency")}
    assert content_hash(item.columns()) == content_hash(without)
    valued = normalize(ShipmentIn(tracking_number=UPS, order_value="1", currency="USD"))
    assert valued.content_hash != item.content_hash


def test_email_mask() -> None:
    assert mask_email("olivia@example.com") == "o****a@example.com"
    assert mask_email("jo@example.com") == "j****@example.com"
    assert mask_email(None) is None and mask_email("nope") is None
