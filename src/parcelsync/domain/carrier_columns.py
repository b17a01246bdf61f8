"""Carrier-code columns of the second payment gateway and tracking provider, per canonical carrier.

Copied from the providers' own tables (`providers/paypal/carriers.py` PAYPAL_CARRIERS and
`providers/aftership/carriers.py` AFTERSHIP_SLUGS, which hold the sources), because the domain
may not import providers; a unit test keeps the copies equal. A carrier missing here gets PayPal's
`OTHER` (plus its name) and no AfterShip slug (AfterShip then detects the courier itself).
"""

from __future__ import annotations

from collections.abc import Mapping

# fmt: off
PAYPAL_CODES: Mapping[str, str] = {
    "4px": "FOUR_PX_EXPRESS", "an-post": "AN_POST", "aramex": "ARAMEX", "australia-post": "AUSTRALIA_POST",
    "austrian-post": "AUSTRIAN_POST", "bpost": "BPOST", "brazil-correios": "CORREOS_BR",
    "canada-post": "CANADA_POST", "china-ems": "EMS_CN", "china-post": "CHINA_POST", "chronopost": "CHRONOPOST_FR",
    "cj-logistics": "CJ_LOGISTICS", "colissimo": "COLIPOSTE", "correos": "CORREOS_ES",
    "correos-mexico": "CORREOS_MX", "ctt": "CTT_PT", "dhl": "DHL", "dhl-ecommerce": "DHL_GLOBAL_ECOMMERCE",
    "dhl-paket": "DHL_DEUTSCHE_POST", "dpd": "DPD", "dpd-uk": "DPD_UK", "fedex": "FEDEX", "finland-posti": "POSTI",
    "gls": "GLS", "greece-post": "ELTA_GR", "hermes-de": "HERMES_DE", "hong-kong-post": "HK_POST",
    "india-post": "INDIA_POST", "israel-post": "ISRAEL_POST", "japan-post": "JAPAN_POST",
    "korea-post": "KOREA_POST", "la-poste": "LAPOSTE", "malaysia-post": "MALAYSIA_POST",
    "new-zealand-post": "NZ_POST", "ontrac": "ONTRAC", "parcelforce": "PARCELFORCE",
    "poczta-polska": "POCZTA_POLSKA", "poste-italiane": "POSTE_ITALIANE", "postnl": "POSTNL",
    "purolator": "PUROLATOR", "royal-mail": "ROYAL_MAIL", "russian-post": "RUSSIAN_POST", "sagawa": "SAGAWA",
    "sf-express": "SF_EXPRESS", "singapore-post": "SINGPOST", "swiss-post": "SWISS_POST",
    "taiwan-post": "CHUNGHWA_POST", "thailand-post": "THAILAND_POST", "tnt": "TNT", "ups": "UPS", "usps": "USPS",
    "vietnam-post": "VIETNAM_POST", "yamato": "YAMATO", "yanwen": "YANWEN_CN", "yodel": "YODEL",
}

AFTERSHIP_SLUGS: Mapping[str, str] = {
    "4px": "4px", "amazon": "amazon", "an-post": "an-post", "aramex": "aramex", "australia-post": "australia-post",
    "austrian-post": "austrian-post", "bpost": "bpost", "brazil-correios": "brazil-correios", "cainiao": "cainiao",
    "canada-post": "canada-post", "china-ems": "china-ems", "china-post": "china-post",
    "chronopost": "chronopost-france", "colissimo": "la-poste-colissimo", "correos": "spain-correos-es",
    "correos-mexico": "correos-de-mexico", "ctt": "portugal-ctt", "czech-post": "ceska-posta",
    "deutsche-post": "deutsch-post", "dhl": "dhl", "dhl-ecommerce": "dhl-global-mail", "dhl-paket": "dhl-germany",
    "dpd": "dpd", "dpd-uk": "dpd-uk", "emirates-post": "emirates-post", "evri": "hermes", "fedex": "fedex",
    "finland-posti": "posti", "gls": "gls", "greece-post": "greece-post", "hermes-de": "hermes-de",
    "hong-kong-post": "hong-kong-post", "india-post": "india-post", "indonesia-post": "pos-indonesia",
    "israel-post": "israel-post", "japan-post": "japan-post", "korea-post": "korea-post",
    "la-poste": "la-poste-colissimo", "lasership": "lasership", "macao-post": "macao-post",
    "magyar-posta": "magyar-posta", "malaysia-post": "malaysia-post", "new-zealand-post": "new-zealand-post",
    "ontrac": "ontrac", "parcelforce": "parcel-force", "phlpost": "phlpost", "poczta-polska": "poczta-polska",
    "posta-romana": "posta-romana", "poste-italiane": "poste-italiane", "postnl": "postnl",
    "purolator": "purolator", "royal-mail": "royal-mail", "russian-post": "russian-post", "sagawa": "sagawa",
    "saudi-post": "saudi-post", "sf-express": "sf-express", "singapore-post": "singapore-post",
    "south-africa-post": "sapo", "sto": "sto", "swiss-post": "swiss-post", "taiwan-post": "taiwan-post",
    "thailand-post": "thailand-post", "tnt": "tnt", "ups": "ups", "usps": "usps", "vietnam-post": "vnpost",
    "yamato": "taqbin-jp", "yanwen": "yanwen", "yodel": "yodel", "yto": "yto", "yunda": "yunda",
    "yunexpress": "yunexpress", "zto": "zto-express",
}
# fmt: on
