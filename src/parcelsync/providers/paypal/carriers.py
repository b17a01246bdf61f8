"""PayPal carrier enum values, keyed by parcelsync's canonical carrier id (domain/carrier_data.py).

From PayPal's "Add Tracking API Carriers" page (global and country-specific tables). Only carriers
whose enum value is listed there are mapped; every other carrier is sent as `OTHER` with its
display name in `carrier_name_other`, which PayPal documents as the fallback. A wrong enum is a
400 for the whole tracker, while `OTHER` is always accepted, so an unsure mapping is left out on
purpose. Merchant overrides (canonical id -> enum) win over this table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from parcelsync.domain.carriers import CarrierCodes, CarrierRegistry

OTHER = "OTHER"
CARRIER_NAME_OTHER_MAX = 64  # Unconfirmed limit; PayPal's schema gives none for v2. Longer names are cut.

PAYPAL_CARRIERS: Mapping[str, str] = {
    # Global table.
    "ups": "UPS",
    "fedex": "FEDEX",
    "dhl": "DHL",  # "DHL Express"
    "dhl-ecommerce": "DHL_GLOBAL_ECOMMERCE",
    "tnt": "TNT",
    "aramex": "ARAMEX",
    "dpd": "DPD",
    "gls": "GLS",
    "sf-express": "SF_EXPRESS",
    "cj-logistics": "CJ_LOGISTICS",
    "finland-posti": "POSTI",
    # Country-specific tables.
    "usps": "USPS",
    "ontrac": "ONTRAC",
    "purolator": "PUROLATOR",
    "canada-post": "CANADA_POST",
    "4px": "FOUR_PX_EXPRESS",
    "china-post": "CHINA_POST",
    "china-ems": "EMS_CN",
    "yanwen": "YANWEN_CN",
    "royal-mail": "ROYAL_MAIL",
    "parcelforce": "PARCELFORCE",
    "yodel": "YODEL",
    "dpd-uk": "DPD_UK",
    "an-post": "AN_POST",
    "dhl-paket": "DHL_DEUTSCHE_POST",
    "hermes-de": "HERMES_DE",
    "la-poste": "LAPOSTE",
    "colissimo": "COLIPOSTE",
    "chronopost": "CHRONOPOST_FR",
    "postnl": "POSTNL",
    "bpost": "BPOST",
    "poste-italiane": "POSTE_ITALIANE",
    "correos": "CORREOS_ES",
    "ctt": "CTT_PT",
    "swiss-post": "SWISS_POST",
    "austrian-post": "AUSTRIAN_POST",
    "poczta-polska": "POCZTA_POLSKA",
    "russian-post": "RUSSIAN_POST",
    "greece-post": "ELTA_GR",
    "japan-post": "JAPAN_POST",
    "yamato": "YAMATO",
    "sagawa": "SAGAWA",
    "korea-post": "KOREA_POST",
    "hong-kong-post": "HK_POST",
    "singapore-post": "SINGPOST",
    "thailand-post": "THAILAND_POST",
    "malaysia-post": "MALAYSIA_POST",
    "vietnam-post": "VIETNAM_POST",
    "taiwan-post": "CHUNGHWA_POST",
    "india-post": "INDIA_POST",
    "australia-post": "AUSTRALIA_POST",
    "new-zealand-post": "NZ_POST",
    "correos-mexico": "CORREOS_MX",
    "brazil-correios": "CORREOS_BR",
    "israel-post": "ISRAEL_POST",
}

CARRIER_CODES = CarrierCodes(PAYPAL_CARRIERS, OTHER)
"""The enums as the connector declares them; `OTHER` for a carrier missing from the table."""


@dataclass(frozen=True, slots=True)
class PayPalCarrier:
    """What a tracker carries for its carrier: the enum, and the name when the enum is `OTHER`."""

    carrier: str
    carrier_name_other: str | None = None


def paypal_carrier(
    carrier: str | None, registry: CarrierRegistry, overrides: Mapping[str, str] | None = None
) -> PayPalCarrier:
    """PayPal's carrier for a shipment's carrier: merchant override, table, then `OTHER` + the name."""
    known = registry.resolve(carrier)
    canonical = known.code if known else registry.canonical(carrier or "")
    override = (overrides or {}).get(canonical)
    if override:
        return PayPalCarrier(override) if override != OTHER else PayPalCarrier(OTHER, _name(known, carrier))
    enum = PAYPAL_CARRIERS.get(canonical)
    if enum:
        return PayPalCarrier(enum)
    return PayPalCarrier(OTHER, _name(known, carrier))


def _name(known: object, given: str | None) -> str:
    name = getattr(known, "name", None) or (given or "").strip() or "Other"
    return name[:CARRIER_NAME_OTHER_MAX]
