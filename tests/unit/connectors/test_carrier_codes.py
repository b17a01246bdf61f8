"""Each provider's carrier codes live with its connector, and send exactly what the domain table sent before.

`tests/fixtures/carriers/codes_before_connectors.json` was captured from the registry while the
codes were still columns of `domain/carrier_data.py` (and copies in `domain/carrier_columns.py`):
for every canonical carrier and every provider the code sent, what unknown names fall back to,
what every name resolves to, and the PayPal and AfterShip carrier choices.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from parcelsync.connectors.carriers import default_registry
from parcelsync.connectors.registry import all_connectors
from parcelsync.domain.carrier_data import CARRIERS
from parcelsync.domain.provider import Provider
from parcelsync.providers.aftership.carriers import aftership_slug
from parcelsync.providers.paypal.carriers import paypal_carrier

BEFORE = json.loads(
    (Path(__file__).parents[2] / "fixtures" / "carriers" / "codes_before_connectors.json").read_text(encoding="utf-8")
)
UNKNOWN = "?"


@pytest.mark.parametrize("provider", [p.value for p in Provider])
def test_every_carrier_sends_the_code_it_sent_before(provider: str) -> None:
    registry = default_registry()
    before = BEFORE["code_for"][provider]
    after = {c.code: registry.code_for(Provider(provider), c.code) for c in registry.carriers}
    after |= {key: registry.code_for(Provider(provider), key[1:]) for key in before if key.startswith(UNKNOWN)}
    assert after == before


def test_the_canonical_carriers_are_the_ones_captured() -> None:
    assert sorted(c.code for c in CARRIERS) == sorted(BEFORE["code_for"]["trackingmore"].keys() - {
        k for k in BEFORE["code_for"]["trackingmore"] if k.startswith(UNKNOWN)
    })


def test_fallbacks_are_unchanged() -> None:
    registry = default_registry()
    assert {p.value: registry.fallback(p) for p in Provider} == BEFORE["fallbacks"]


def test_every_name_resolves_as_before() -> None:
    registry = default_registry()
    resolved = {name: (c.code if (c := registry.resolve(name)) else None) for name in BEFORE["resolve"]}
    assert resolved == BEFORE["resolve"]
    assert {name: registry.canonical(name) for name in BEFORE["canonical"]} == BEFORE["canonical"]


def test_gateway_and_tracker_carrier_choices_are_unchanged() -> None:
    registry = default_registry()
    paypal = {c.code: [(p := paypal_carrier(c.code, registry)).carrier, p.carrier_name_other] for c in CARRIERS}
    assert paypal == BEFORE["paypal_carrier"]
    assert {c.code: aftership_slug(c.code, registry) for c in CARRIERS} == BEFORE["aftership_slug"]


def test_merchant_overrides_still_win_for_every_provider() -> None:
    merchant = default_registry().with_overrides([(p, "ups", "X-" + p.value) for p in Provider])
    assert {p.value: merchant.code_for(p, "UPS") for p in Provider} == BEFORE["with_overrides"]


def test_every_connector_declares_its_carrier_codes_for_canonical_carriers_only() -> None:
    canonical = {c.code for c in CARRIERS}
    for connector in all_connectors():
        assert set(connector.carrier_codes.codes) <= canonical, connector.id
    assert {c.provider for c in all_connectors()} == set(default_registry().codes)
