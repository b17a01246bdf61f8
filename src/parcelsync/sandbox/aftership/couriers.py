"""The couriers the sandbox knows (slugs from AfterShip's courier list) and a simple detector."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Courier:
    slug: str
    name: str
    pattern: str | None = None
    country_iso3: str | None = None
    web_url: str | None = None

    def to_api(self) -> dict[str, Any]:
        return {"slug": self.slug, "name": self.name, "phone": None, "other_name": None,
                "web_url": self.web_url, "required_fields": [], "optional_fields": [],
                "default_language": "en", "support_languages": ["en"],
                "service_from_country_iso3": [self.country_iso3] if self.country_iso3 else []}


_S10 = r"^[A-Z]{2}\d{9}{cc}$"
COURIERS: tuple[Courier, ...] = (
    Courier("ups", "UPS", r"^1Z[0-9A-Z]{16}$", "USA", "https://www.ups.com"),
    Courier("usps", "USPS", r"^(94|93|92|95)\d{18,20}$", "USA", "https://www.usps.com"),
    Courier("fedex", "FedEx®", r"^(\d{12}|\d{15})$", "USA", "https://www.fedex.com"),
    Courier("dhl", "DHL Express", r"^\d{10}$", "DEU", "https://www.dhl.com"),
    Courier("dhl-global-mail", "DHL eCommerce US", r"^GM\d{16,20}$", "USA"),
    Courier("dhl-germany", "Deutsche Post DHL", r"^\d{20}$", "DEU"),
    Courier("china-post", "China Post", _S10.replace("{cc}", "CN"), "CHN"),
    Courier("china-ems", "China EMS (ePacket)", r"^E[A-Z]\d{9}CN$", "CHN"),
    Courier("royal-mail", "Royal Mail", _S10.replace("{cc}", "GB"), "GBR"),
    Courier("canada-post", "Canada Post", _S10.replace("{cc}", "CA"), "CAN"),
    Courier("australia-post", "Australia Post", _S10.replace("{cc}", "AU"), "AUS"),
    Courier("la-poste-colissimo", "La Poste", _S10.replace("{cc}", "FR"), "FRA"),
    Courier("deutsch-post", "Deutsche Post Mail", _S10.replace("{cc}", "DE"), "DEU"),
    Courier("4px", "4PX", r"^4PX\d{10,16}[A-Z]{0,2}$", "CHN"),
    Courier("yunexpress", "YunExpress", r"^YT\d{16}$", "CHN"),
    Courier("yanwen", "Yanwen", r"^(UV|UY|VR)\d{9}YP$", "CHN"),
    Courier("sf-express", "S.F. Express", r"^SF\d{12,13}$", "CHN"),
    Courier("cainiao", "Cainiao", r"^LP\d{14,16}$", "CHN"),
    Courier("tnt", "TNT", None, "NLD"), Courier("aramex", "Aramex", None, "ARE"),
    Courier("ontrac", "OnTrac", None, "USA"), Courier("lasership", "LaserShip", None, "USA"),
    Courier("amazon", "Amazon Logistics", None, "USA"), Courier("purolator", "Purolator", None, "CAN"),
    Courier("sto", "STO Express", None, "CHN"), Courier("yto", "YTO Express", None, "CHN"),
    Courier("zto-express", "ZTO Express", None, "CHN"), Courier("yunda", "Yunda Express", None, "CHN"),
    Courier("parcel-force", "Parcel Force", None, "GBR"), Courier("hermes", "Evri", None, "GBR"),
    Courier("yodel", "Yodel Domestic", None, "GBR"), Courier("dpd-uk", "DPD UK", None, "GBR"),
    Courier("an-post", "An Post", None, "IRL"), Courier("hermes-de", "Hermes Germany", None, "DEU"),
    Courier("dpd", "DPD", None, "DEU"), Courier("gls", "GLS", None, "DEU"),
    Courier("chronopost-france", "Chronopost France", None, "FRA"), Courier("postnl", "PostNL", None, "NLD"),
    Courier("bpost", "Bpost", None, "BEL"), Courier("poste-italiane", "Poste Italiane", None, "ITA"),
    Courier("spain-correos-es", "Correos de España", None, "ESP"),
    Courier("portugal-ctt", "CTT Correios de Portugal", None, "PRT"),
    Courier("swiss-post", "Swiss Post", None, "CHE"), Courier("austrian-post", "Austrian Post", None, "AUT"),
    Courier("poczta-polska", "Poczta Polska", None, "POL"), Courier("russian-post", "Russian Post", None, "RUS"),
    Courier("ceska-posta", "Česká Pošta", None, "CZE"), Courier("magyar-posta", "Magyar Posta", None, "HUN"),
    Courier("posta-romana", "Poșta Română", None, "ROU"), Courier("greece-post", "ELTA Hellenic Post", None, "GRC"),
    Courier("posti", "Posti", None, "FIN"), Courier("japan-post", "Japan Post", None, "JPN"),
    Courier("taqbin-jp", "Yamato Japan", None, "JPN"), Courier("sagawa", "Sagawa", None, "JPN"),
    Courier("korea-post", "Korea Post", None, "KOR"), Courier("hong-kong-post", "Hong Kong Post", None, "HKG"),
    Courier("singapore-post", "Singapore Post", None, "SGP"),
    Courier("thailand-post", "Thailand Thai Post", None, "THA"),
    Courier("malaysia-post", "Malaysia Post EMS / Pos Laju", None, "MYS"),
    Courier("vnpost", "Vietnam Post", None, "VNM"), Courier("pos-indonesia", "Pos Indonesia", None, "IDN"),
    Courier("phlpost", "PHLPost", None, "PHL"), Courier("taiwan-post", "Taiwan Post", None, "TWN"),
    Courier("macao-post", "Macao Post", None, "MAC"), Courier("india-post", "India Post", None, "IND"),
    Courier("new-zealand-post", "New Zealand Post", None, "NZL"),
    Courier("correos-de-mexico", "Correos de Mexico", None, "MEX"),
    Courier("brazil-correios", "Brazil Correios", None, "BRA"), Courier("emirates-post", "Emirates Post", None, "ARE"),
    Courier("saudi-post", "Saudi Post", None, "SAU"), Courier("israel-post", "Israel Post", None, "ISR"),
    Courier("sapo", "South African Post Office", None, "ZAF"),
)
BY_SLUG = {c.slug: c for c in COURIERS}
_COMPILED = [(c, re.compile(c.pattern)) for c in COURIERS if c.pattern]


def detect(tracking_number: str, within: list[str] | None = None) -> list[Courier]:
    """The couriers whose number format matches (restricted to `within` when given)."""
    number = tracking_number.strip().upper()
    return [c for c, rx in _COMPILED if rx.match(number) and (not within or c.slug in within)]
