"""The carrier registry: aliases, provider mappings, fallbacks and merchant overrides."""

from __future__ import annotations

from collections import Counter

import pytest

from parcelsync.connectors.carriers import default_registry
from parcelsync.domain.carrier_data import CARRIERS, S10_EMS_OPERATORS, S10_OPERATORS
from parcelsync.domain.carriers import Carrier, CarrierRegistry, alias_key
from parcelsync.domain.provider import Provider

REQUIRED = [
    "ups", "usps", "fedex", "dhl", "dhl-ecommerce", "dhl-paket", "4px", "yunexpress", "yanwen", "china-post",
    "china-ems", "sf-express", "sto", "yto", "zto", "yunda", "best-express", "cainiao", "jt-express", "royal-mail",
    "parcelforce", "canada-post", "australia-post", "la-poste", "colissimo", "chronopost", "deutsche-post", "evri",
    "dpd", "gls", "postnl", "japan-post", "yamato", "sagawa", "korea-post", "cj-logistics", "hong-kong-post",
    "singapore-post", "thailand-post", "poste-italiane", "correos", "ctt", "postnord", "swiss-post",
    "austrian-post", "new-zealand-post", "aramex", "tnt", "purolator", "ontrac", "lasership", "amazon",
]  # fmt: skip


@pytest.fixture
def registry() -> CarrierRegistry:
    return default_registry()


def test_at_least_45_carriers_with_unique_codes(registry: CarrierRegistry) -> None:
    codes = [carrier.code for carrier in registry.carriers]
    assert len(codes) >= 45
    assert len(set(codes)) == len(codes)


@pytest.mark.parametrize("code", REQUIRED)
def test_common_cross_border_carriers_are_present(registry: CarrierRegistry, code: str) -> None:
    carrier = registry.resolve(code)
    assert carrier is not None and carrier.code == code


def test_no_alias_resolves_to_two_carriers() -> None:
    owners = Counter(key for carrier in CARRIERS for key in default_registry().lookup_keys(carrier))
    assert [key for key, count in owners.items() if count > 1] == []


def test_every_alias_resolves_to_its_own_carrier(registry: CarrierRegistry) -> None:
    for carrier in registry.carriers:
        tm, shopline = (registry.code_for(p, carrier.code) for p in (Provider.TRACKINGMORE, Provider.SHOPLINE))
        for name in (carrier.code, carrier.name, *carrier.aliases, tm, shopline):
            assert registry.resolve(name) is carrier, name


@pytest.mark.parametrize(
    ("names", "code"),
    [(["4PX", "4px", "fourpx", "4 PX", "4-px", "递四方"], "4px"),
     (["J&T", "jt express", "jtexpress", "J&T Express", "JNT"], "jt-express"),
     (["Royal Mail", "royalmail", "ROYAL-MAIL"], "royal-mail"),
     (["Hermes", "Evri", "hermes uk"], "evri"),
     (["Hermes Germany"], "hermes-de"),
     (["DHL", "dhl express"], "dhl"),
     (["DHL eCommerce", "dhl global mail", "dhlglobalmail"], "dhl-ecommerce"),
     (["ePacket", "China Post"], "china-post"),
     (["Yun Express", "YunExpress", "yuntu"], "yunexpress"),
     (["AusPost", "Australia Post"], "australia-post")],
)  # fmt: skip
def test_aliases_resolve_to_one_carrier(registry: CarrierRegistry, names: list[str], code: str) -> None:
    assert {registry.canonical(name) for name in names} == {code}


def test_provider_codes_resolve_back_to_the_carrier(registry: CarrierRegistry) -> None:
    assert registry.canonical("taqbin-jp") == "yamato"
    assert registry.canonical("parcel-force") == "parcelforce"
    assert registry.canonical("deutsch-post") == "deutsche-post"


def test_fallback_names_never_resolve_to_a_carrier(registry: CarrierRegistry) -> None:
    for provider in Provider:
        assert registry.resolve(registry.fallback(provider)) is None


def test_unknown_names_resolve_to_none_and_canonicalise_to_their_alias_key(registry: CarrierRegistry) -> None:
    assert registry.resolve("Speedy Gonzales Couriers") is None
    assert registry.resolve(None) is None
    assert registry.resolve("") is None
    assert registry.canonical("Speedy Gonzales Couriers") == "speedygonzalescouriers"


@pytest.mark.parametrize(
    ("carrier", "trackingmore", "useepay", "shopline"),
    [("ups", "ups", "ups", "UPS"), ("usps", "usps", "usps", "USPS"), ("fedex", "fedex", "fedex", "FedEx"),
     ("dhl", "dhl", "dhl", "DHL Express"), ("4PX", "4px", "others", "4PX"),
     ("yunexpress", "yunexpress", "others", "YunExpress"), ("china post", "china-post", "others", "China Post"),
     ("STO", "sto", "others", "STO Express"), ("royal mail", "royal-mail", "others", "Royal Mail"),
     ("la poste", "laposte", "others", "La Poste"), ("deutsche post", "deutsche-post", "others", "Deutsche Post")],
)  # fmt: skip
def test_mapping_to_each_provider(
    registry: CarrierRegistry, carrier: str, trackingmore: str, useepay: str, shopline: str
) -> None:
    assert registry.code_for(Provider.TRACKINGMORE, carrier) == trackingmore
    assert registry.code_for(Provider.USEEPAY, carrier) == useepay
    assert registry.code_for(Provider.SHOPLINE, carrier) == shopline


def test_unknown_carrier_maps_to_each_providers_fallback(registry: CarrierRegistry) -> None:
    assert registry.code_for(Provider.USEEPAY, "Speedy Couriers") == "others"
    assert registry.code_for(Provider.SHOPLINE, "Speedy Couriers") == "Other"
    assert registry.code_for(Provider.TRACKINGMORE, "Speedy Couriers") == "other"


def test_useepay_names_only_the_big_four_and_otherwise_sends_others(registry: CarrierRegistry) -> None:
    named = {registry.code_for(Provider.USEEPAY, carrier.code) for carrier in CARRIERS} - {"others"}
    assert named == {"ups", "usps", "fedex", "dhl"}


def test_every_carrier_has_all_provider_names(registry: CarrierRegistry) -> None:
    for carrier in CARRIERS:
        # A provider whose fallback is "" (AfterShip) detects couriers it has no slug for itself.
        assert all(registry.code_for(p, carrier.code) or not registry.fallback(p) for p in Provider), carrier.code


def test_tracking_url_templates_take_the_number() -> None:
    for carrier in CARRIERS:
        if carrier.url_template is not None:
            url = carrier.tracking_url("XYZ123")
            assert url is not None and "XYZ123" in url and url.startswith("https://"), carrier.code
    assert default_registry().tracking_url("UPS", "1Z879E930346834440") == (
        "https://www.ups.com/track?tracknum=1Z879E930346834440"
    )
    assert default_registry().tracking_url("sto", "773000000000") is None
    assert default_registry().tracking_url("Speedy", "773000000000") is None


def test_s10_operators_are_registered_carriers(registry: CarrierRegistry) -> None:
    for code in (*S10_OPERATORS.values(), *S10_EMS_OPERATORS.values()):
        found = registry.resolve(code)
        assert found is not None and found.code == code


def test_merchant_override_wins_for_its_provider_only(registry: CarrierRegistry) -> None:
    merchant = registry.with_overrides([(Provider.SHOPLINE, "4 PX", "4PX Worldwide Express")])
    assert merchant.code_for(Provider.SHOPLINE, "fourpx") == "4PX Worldwide Express"
    assert merchant.code_for(Provider.TRACKINGMORE, "4px") == "4px"
    assert merchant.code_for(Provider.USEEPAY, "4px") == "others"
    assert registry.code_for(Provider.SHOPLINE, "4px") == "4PX"


def test_override_can_name_a_carrier_unknown_to_the_registry(registry: CarrierRegistry) -> None:
    merchant = registry.with_overrides(
        [("trackingmore", "Speedy Couriers", "speedy-couriers"), (Provider.USEEPAY, "speedy couriers", "speedy")]
    )
    assert merchant.code_for(Provider.TRACKINGMORE, "SPEEDY-COURIERS") == "speedy-couriers"
    assert merchant.code_for(Provider.USEEPAY, "Speedy Couriers") == "speedy"
    assert merchant.code_for(Provider.SHOPLINE, "Speedy Couriers") == "Other"


def test_overrides_stack_and_later_ones_win(registry: CarrierRegistry) -> None:
    first = registry.with_overrides([(Provider.USEEPAY, "yanwen", "yanwen")])
    second = first.with_overrides([(Provider.USEEPAY, "Yanwen", "yw"), (Provider.SHOPLINE, "yanwen", "YW")])
    assert first.code_for(Provider.USEEPAY, "yanwen") == "yanwen"
    assert second.code_for(Provider.USEEPAY, "yanwen") == "yw"
    assert second.code_for(Provider.SHOPLINE, "yanwen") == "YW"


def test_registry_index_is_case_and_punctuation_insensitive() -> None:
    carrier = Carrier("acme", "ACME Parcels", None, ("A.C.M.E.",))
    registry = CarrierRegistry((carrier,))
    assert registry.resolve("a c m e") is carrier
    assert registry.resolve("Acme-Parcels") is carrier
    assert alias_key(" J&T (Express) ") == "jtexpress"
