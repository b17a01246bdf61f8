"""SHOPLINE `tracking_company` per canonical carrier (`domain/carrier_data.py`), declared by the connector.

The logistics-company enumeration is not public; only "4PX" (seed example) and the "Other"
fallback are confirmed. The rest use the carrier's usual display name (the names common store
platforms list) and are unconfirmed; a merchant override can fix one. SHOPLINE names also resolve
user input (a store fulfillment names its carrier by them).
"""

from __future__ import annotations

from collections.abc import Mapping

from parcelsync.domain.carriers import CarrierCodes

FALLBACK = "Other"
"""SHOPLINE's tracking company for a carrier it does not list."""

# fmt: off
_CODES: Mapping[str, str] = {
    "ups": "UPS", "usps": "USPS", "fedex": "FedEx", "dhl": "DHL Express", "dhl-ecommerce": "DHL eCommerce",
    "dhl-paket": "DHL Germany", "tnt": "TNT", "aramex": "Aramex", "ontrac": "OnTrac", "lasership": "LaserShip",
    "amazon": "Amazon Logistics", "purolator": "Purolator", "4px": "4PX", "yunexpress": "YunExpress",
    "yanwen": "Yanwen", "china-post": "China Post", "china-ems": "China EMS", "sf-express": "SF Express",
    "sto": "STO Express", "yto": "YTO Express", "zto": "ZTO Express", "yunda": "Yunda Express",
    "best-express": "Best Express", "cainiao": "Cainiao", "jt-express": "J&T Express", "royal-mail": "Royal Mail",
    "parcelforce": "Parcelforce", "evri": "Evri", "yodel": "Yodel", "dpd-uk": "DPD UK", "an-post": "An Post",
    "deutsche-post": "Deutsche Post", "hermes-de": "Hermes Germany", "dpd": "DPD", "gls": "GLS", "la-poste": "La Poste",
    "colissimo": "Colissimo", "chronopost": "Chronopost", "postnl": "PostNL", "bpost": "Bpost",
    "poste-italiane": "Poste Italiane", "correos": "Correos", "ctt": "CTT", "postnord": "PostNord",
    "swiss-post": "Swiss Post", "austrian-post": "Austrian Post", "poczta-polska": "Poczta Polska",
    "russian-post": "Russian Post", "czech-post": "Czech Post", "magyar-posta": "Magyar Posta",
    "posta-romana": "Posta Romana", "greece-post": "ELTA", "finland-posti": "Posti", "japan-post": "Japan Post",
    "yamato": "Yamato", "sagawa": "Sagawa", "korea-post": "Korea Post", "cj-logistics": "CJ Logistics",
    "hong-kong-post": "Hongkong Post", "singapore-post": "Singapore Post", "thailand-post": "Thailand Post",
    "malaysia-post": "Pos Malaysia", "vietnam-post": "Vietnam Post", "indonesia-post": "Pos Indonesia",
    "phlpost": "PHLPost", "taiwan-post": "Chunghwa Post", "macao-post": "Macao Post", "india-post": "India Post",
    "australia-post": "Australia Post", "new-zealand-post": "New Zealand Post", "canada-post": "Canada Post",
    "correos-mexico": "Correos de Mexico", "brazil-correios": "Correios", "emirates-post": "Emirates Post",
    "saudi-post": "Saudi Post", "israel-post": "Israel Post", "south-africa-post": "South African Post Office",
}
# fmt: on

CARRIER_CODES = CarrierCodes(_CODES, FALLBACK, names_resolve=True)
