"""AfterShip courier slugs, keyed by parcelsync's canonical carrier id (domain/carrier_data.py).

From AfterShip's supported-couriers list. A carrier without a slug here is created without `slug`:
AfterShip documents that it then detects the courier itself (and answers 4012 if it cannot), which
is better than guessing a slug and being refused with 4010. Merchant overrides win.
Note AfterShip's Deutsche Post slug is `deutsch-post` (not TrackingMore's `deutsche-post`).
"""

from __future__ import annotations

from collections.abc import Mapping

from parcelsync.domain.carriers import CarrierCodes, CarrierRegistry

AFTERSHIP_SLUGS: Mapping[str, str] = {
    "ups": "ups", "usps": "usps", "fedex": "fedex", "dhl": "dhl", "dhl-ecommerce": "dhl-global-mail",
    "dhl-paket": "dhl-germany", "tnt": "tnt", "aramex": "aramex", "ontrac": "ontrac", "lasership": "lasership",
    "amazon": "amazon", "purolator": "purolator", "4px": "4px", "yunexpress": "yunexpress", "yanwen": "yanwen",
    "china-post": "china-post", "china-ems": "china-ems", "sf-express": "sf-express", "sto": "sto",
    "yto": "yto", "zto": "zto-express", "yunda": "yunda", "cainiao": "cainiao", "royal-mail": "royal-mail",
    "parcelforce": "parcel-force", "evri": "hermes", "yodel": "yodel", "dpd-uk": "dpd-uk", "an-post": "an-post",
    "deutsche-post": "deutsch-post", "hermes-de": "hermes-de", "dpd": "dpd", "gls": "gls",
    "la-poste": "la-poste-colissimo", "colissimo": "la-poste-colissimo", "chronopost": "chronopost-france",
    "postnl": "postnl", "bpost": "bpost", "poste-italiane": "poste-italiane", "correos": "spain-correos-es",
    "ctt": "portugal-ctt", "swiss-post": "swiss-post",
    "austrian-post": "austrian-post", "poczta-polska": "poczta-polska", "russian-post": "russian-post",
    "czech-post": "ceska-posta", "magyar-posta": "magyar-posta", "posta-romana": "posta-romana",
    "greece-post": "greece-post", "finland-posti": "posti", "japan-post": "japan-post", "yamato": "taqbin-jp",
    "sagawa": "sagawa", "korea-post": "korea-post", "hong-kong-post": "hong-kong-post",
    "singapore-post": "singapore-post", "thailand-post": "thailand-post", "malaysia-post": "malaysia-post",
    "vietnam-post": "vnpost", "indonesia-post": "pos-indonesia", "phlpost": "phlpost", "taiwan-post": "taiwan-post",
    "macao-post": "macao-post", "india-post": "india-post", "australia-post": "australia-post",
    "new-zealand-post": "new-zealand-post", "canada-post": "canada-post", "correos-mexico": "correos-de-mexico",
    "brazil-correios": "brazil-correios", "emirates-post": "emirates-post", "saudi-post": "saudi-post",
    "israel-post": "israel-post", "south-africa-post": "sapo",
}

CARRIER_CODES = CarrierCodes(AFTERSHIP_SLUGS, "")
"""The slugs as the connector declares them; "" (no slug) for a carrier missing from the table."""


def aftership_slug(carrier: str | None, registry: CarrierRegistry,
                   overrides: Mapping[str, str] | None = None) -> str | None:
    """AfterShip's slug for a carrier (override, then table), or None to let AfterShip detect it."""
    known = registry.resolve(carrier)
    canonical = known.code if known else registry.canonical(carrier or "")
    return (overrides or {}).get(canonical) or AFTERSHIP_SLUGS.get(canonical)


def canonical_for_slug(slug: str | None) -> str | None:
    """The canonical carrier a slug stands for (the first table entry with it), for status intake."""
    for canonical, known in AFTERSHIP_SLUGS.items():
        if known == slug:
            return canonical
    return None
