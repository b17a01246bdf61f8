"""TrackingMore `carrier_code` per canonical carrier (`domain/carrier_data.py`), declared by the connector.

Checked against TrackingMore's published courier list (the `slug` list its v2 API and widgets use,
e.g. `china-post`, `4px`, `sto`, `taqbin-jp`, `dhlglobalmail`, `parcel-force`, `deutsche-post`).
The codes in `_UNCONFIRMED` were not in that list; they follow TrackingMore's naming and a merchant
override can fix them. Note `deutsche-post` here differs from AfterShip's `deutsch-post`.
TrackingMore codes also resolve user input (a shipment may name its carrier by them).
"""

from __future__ import annotations

from collections.abc import Mapping

from parcelsync.domain.carriers import CarrierCodes

FALLBACK = "other"
"""TrackingMore's explicit code for a courier it does not list."""

# fmt: off
_CONFIRMED: Mapping[str, str] = {
    "ups": "ups", "usps": "usps", "fedex": "fedex", "dhl": "dhl", "dhl-ecommerce": "dhlglobalmail",
    "dhl-paket": "dhl-germany", "tnt": "tnt", "aramex": "aramex", "ontrac": "ontrac", "lasership": "lasership",
    "purolator": "purolator", "4px": "4px", "yunexpress": "yunexpress", "yanwen": "yanwen", "china-post": "china-post",
    "china-ems": "china-ems", "sf-express": "sf-express", "sto": "sto", "yto": "yto", "zto": "zto", "yunda": "yunda",
    "best-express": "bestex", "cainiao": "cainiao", "royal-mail": "royal-mail", "parcelforce": "parcel-force",
    "evri": "hermes", "yodel": "yodel", "dpd-uk": "dpd-uk", "an-post": "an-post", "deutsche-post": "deutsche-post",
    "hermes-de": "hermes-de", "dpd": "dpd", "gls": "gls", "la-poste": "laposte", "colissimo": "colissimo",
    "chronopost": "chronopost", "postnl": "postnl-parcels", "bpost": "belgium-post", "poste-italiane": "poste-italiane",
    "correos": "correos-spain", "ctt": "ctt", "postnord": "sweden-posten", "swiss-post": "swiss-post",
    "austrian-post": "austria-post", "poczta-polska": "poczta-polska", "russian-post": "russian-post",
    "czech-post": "czech-post", "magyar-posta": "magyar-posta", "posta-romana": "posta-romana",
    "greece-post": "greece-post", "finland-posti": "finland-posti", "japan-post": "japan-post", "yamato": "taqbin-jp",
    "sagawa": "sagawa", "korea-post": "korea-post", "hong-kong-post": "hong-kong-post",
    "singapore-post": "singapore-post", "thailand-post": "thailand-post", "malaysia-post": "malaysia-post",
    "vietnam-post": "vietnam-post", "indonesia-post": "indonesia-post", "phlpost": "phlpost",
    "taiwan-post": "taiwan-post", "macao-post": "macao-post", "india-post": "india-post",
    "australia-post": "australia-post", "new-zealand-post": "new-zealand-post", "canada-post": "canada-post",
    "correos-mexico": "correos-mexico", "brazil-correios": "brazil-correios", "emirates-post": "emirates-post",
    "saudi-post": "saudi-post", "israel-post": "israel-post", "south-africa-post": "south-africa-post",
}
_UNCONFIRMED: Mapping[str, str] = {"amazon": "amazon", "jt-express": "jtexpress", "cj-logistics": "cjlogistics"}
# fmt: on

CARRIER_CODES = CarrierCodes({**_CONFIRMED, **_UNCONFIRMED}, FALLBACK, names_resolve=True)
