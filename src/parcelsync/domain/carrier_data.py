"""The built-in canonical carrier table: code, name, tracking URL, aliases; and UPU S10 operators.

What each provider calls these carriers lives in that provider's folder
(`providers/<name>/carriers.py`, declared by its connector as `carrier_codes`), with its sources.
URL templates are the carriers' public tracking pages; None where no stable per-number page is
known.
"""

from __future__ import annotations

from collections.abc import Mapping

from parcelsync.domain.carriers import Carrier


def _c(code: str, name: str, url: str | None, *aliases: str) -> Carrier:
    return Carrier(code, name, url, tuple(aliases))


# fmt: off
# One carrier per entry, kept compact on purpose so the table reads as a table.
CARRIERS: tuple[Carrier, ...] = (
    # Global express and US carriers.
    _c("ups", "UPS", "https://www.ups.com/track?tracknum={number}", "united parcel service"),
    _c("usps", "USPS", "https://tools.usps.com/go/TrackConfirmAction?tLabels={number}",
       "united states postal service", "us postal service", "us post"),
    _c("fedex", "FedEx", "https://www.fedex.com/fedextrack/?trknbr={number}",
       "federal express", "fedex ground", "fedex express", "fedex smartpost"),
    _c("dhl", "DHL Express", "https://www.dhl.com/en/express/tracking.html?AWB={number}&brand=DHL",
       "dhl", "dhl international"),
    _c("dhl-ecommerce", "DHL eCommerce", "https://webtrack.dhlecs.com/?trackingnumber={number}",
       "dhl global mail", "dhlecs", "dhl ecom"),
    _c("dhl-paket", "DHL Paket", "https://www.dhl.de/en/privatkunden/dhl-sendungsverfolgung.html?piececode={number}",
       "dhl germany", "dhl de", "dhl parcel germany"),
    _c("tnt", "TNT", "https://www.tnt.com/express/en_gc/site/shipping-tools/tracking.html?searchType=con&cons={number}",
       "tnt express"),
    _c("aramex", "Aramex", "https://www.aramex.com/track/results?ShipmentNumber={number}"),
    _c("ontrac", "OnTrac", "https://www.ontrac.com/tracking/?number={number}"),
    _c("lasership", "LaserShip", None, "laser ship"),
    _c("amazon", "Amazon Logistics", None, "amazon", "amazon shipping", "amzl"),
    _c("purolator", "Purolator", "https://www.purolator.com/en/shipping/tracker?pin={number}"),
    # China cross-border and domestic.
    _c("4px", "4PX", "https://track.4px.com/#/result/0/{number}", "fourpx", "4px express", "递四方"),
    _c("yunexpress", "YunExpress", "https://www.yuntrack.com/parcelTracking?id={number}",
       "yun express", "yuntu", "云途"),
    _c("yanwen", "Yanwen", "https://track.yw56.com.cn/en/querydel?nums={number}",
       "yanwen express", "燕文"),
    _c("china-post", "China Post", None, "chinapost", "epacket", "中国邮政"),
    _c("china-ems", "China EMS", None, "ems china", "china ems epacket", "中国ems"),
    _c("sf-express", "SF Express", "https://www.sf-express.com/chn/en/dynamic_function/waybill/#search/bill-number/{number}",

       "sf", "shunfeng", "顺丰"),
    _c("sto", "STO Express", None, "shentong", "申通"),
    _c("yto", "YTO Express", None, "yuantong", "圆通"),
    _c("zto", "ZTO Express", None, "zhongtong", "中通"),
    _c("yunda", "Yunda Express", None, "韵达"),
    _c("best-express", "Best Express", None, "best inc", "800best", "百世"),
    _c("cainiao", "Cainiao", "https://global.cainiao.com/newDetail.htm?mailNoList={number}",
       "aliexpress standard shipping", "aliexpress shipping", "菜鸟"),
    _c("jt-express", "J&T Express", None, "jt", "jnt", "j and t", "j&t international"),
    # United Kingdom and Ireland.
    _c("royal-mail", "Royal Mail", "https://www.royalmail.com/track-your-item#/tracking-results/{number}", "royalmail"),
    _c("parcelforce", "Parcelforce Worldwide", "https://www.parcelforce.com/track-trace?trackNumber={number}",
       "parcelforce"),
    _c("evri", "Evri", "https://www.evri.com/track/parcel/{number}",
       "hermes", "hermes uk", "myhermes", "hermesworld"),
    _c("yodel", "Yodel", None),
    _c("dpd-uk", "DPD UK", "https://track.dpd.co.uk/parcels/{number}"),
    _c("an-post", "An Post", None),
    # Continental Europe.
    _c("deutsche-post", "Deutsche Post", "https://www.deutschepost.de/de/s/sendungsverfolgung.html?piececode={number}",
       "deutsch post", "german post"),
    _c("hermes-de", "Hermes Germany", None, "hermes germany", "hermes de"),
    _c("dpd", "DPD", "https://tracking.dpd.de/status/en_US/parcel/{number}", "dpd de", "dpd germany"),
    _c("gls", "GLS", "https://gls-group.com/EU/en/parcel-tracking?match={number}",
       "general logistics systems"),
    _c("la-poste", "La Poste", "https://www.laposte.fr/outils/suivre-vos-envois?code={number}",
       "french post"),
    _c("colissimo", "Colissimo", "https://www.laposte.fr/outils/suivre-vos-envois?code={number}"),
    _c("chronopost", "Chronopost", "https://www.chronopost.fr/tracking-no-cms/suivi-page?listeNumerosLT={number}"),
    _c("postnl", "PostNL", "https://jouw.postnl.nl/track-and-trace/{number}",
       "netherlands post", "dutch post"),
    _c("bpost", "bpost", "https://track.bpost.cloud/btr/web/#/search?itemCode={number}",
       "belgian post", "belgium post"),
    _c("poste-italiane", "Poste Italiane", "https://www.poste.it/cerca/index.html#/risultati-spedizioni/{number}",
       "italian post", "italy post"),
    _c("correos", "Correos", "https://www.correos.es/es/en/tools/tracker/items/details?tracking-number={number}",
       "correos spain",
       "spain post"),
    _c("ctt", "CTT", None, "ctt portugal", "portugal post", "correios de portugal"),
    _c("postnord", "PostNord", "https://www.postnord.se/en/our-tools/track-and-trace?shipmentId={number}",
       "posten sweden", "postnord sweden"),
    _c("swiss-post", "Swiss Post", "https://service.post.ch/ekp-web/ui/entry/search/{number}",
       "die post", "la poste suisse"),
    _c("austrian-post", "Austrian Post", "https://www.post.at/s/sendungssuche?snr={number}",
       "osterreichische post", "österreichische post", "post at"),
    _c("poczta-polska", "Poczta Polska", None, "polish post", "poland post"),
    _c("russian-post", "Russian Post", "https://www.pochta.ru/tracking#{number}",
       "pochta"),
    _c("czech-post", "Czech Post", None, "ceska posta"),
    _c("magyar-posta", "Magyar Posta", None, "hungarian post"),
    _c("posta-romana", "Posta Romana", None, "romanian post"),
    _c("greece-post", "ELTA Hellenic Post", None, "elta", "hellenic post"),
    _c("finland-posti", "Posti", None, "finland post"),
    # Asia-Pacific.
    _c("japan-post", "Japan Post", "https://trackings.post.japanpost.jp/services/srv/search/direct?reqCodeNo1={number}&locale=en",
       "nippon post"),
    _c("yamato", "Yamato Transport", None, "kuroneko yamato", "ta q bin", "takkyubin"),
    _c("sagawa", "Sagawa Express", "https://k2k.sagawa-exp.co.jp/p/web/okurijosearch.do?okurijoNo={number}"),
    _c("korea-post", "Korea Post", "https://service.epost.go.kr/trace.RetrieveEmsRigiTraceList.comm?POST_CODE={number}",
       "epost korea"),
    _c("cj-logistics", "CJ Logistics", None, "cj korea express", "cj korea", "cj대한통운"),
    _c("hong-kong-post", "Hongkong Post", None, "hk post", "hongkongpost"),
    _c("singapore-post", "Singapore Post", None, "singpost"),
    _c("thailand-post", "Thailand Post", "https://track.thailandpost.co.th/?trackNumber={number}"),
    _c("malaysia-post", "Pos Malaysia", None, "malaysia post", "poslaju"),
    _c("vietnam-post", "Vietnam Post", None, "vnpost"),
    _c("indonesia-post", "Pos Indonesia", None, "indonesia post"),
    _c("phlpost", "PHLPost", None, "philippine post", "philippines post"),
    _c("taiwan-post", "Chunghwa Post", None, "taiwan post"),
    _c("macao-post", "Macao Post", None, "macau post"),
    _c("india-post", "India Post", None),
    _c("australia-post", "Australia Post", "https://auspost.com.au/mypost/track/#/details/{number}",
       "auspost", "aus post"),
    _c("new-zealand-post", "New Zealand Post", "https://www.nzpost.co.nz/tools/tracking/item/{number}",
       "nz post", "nzpost"),
    # Americas, Middle East, Africa.
    _c("canada-post", "Canada Post", "https://www.canadapost-postescanada.ca/track-reperage/en#/details/{number}",
       "postes canada"),
    _c("correos-mexico", "Correos de Mexico", None, "mexico post"),
    _c("brazil-correios", "Correios Brazil", None, "correios", "brazil post"),
    _c("emirates-post", "Emirates Post", None, "uae post"),
    _c("saudi-post", "Saudi Post", None),
    _c("israel-post", "Israel Post", None),
    _c("south-africa-post", "South African Post Office", None, "sapo", "south africa post"),
)

S10_OPERATORS: Mapping[str, str] = {
    "AE": "emirates-post", "AT": "austrian-post", "AU": "australia-post", "BE": "bpost", "BR": "brazil-correios",
    "CA": "canada-post", "CH": "swiss-post", "CN": "china-post", "CZ": "czech-post", "DE": "deutsche-post",
    "DK": "postnord", "ES": "correos", "FI": "finland-posti", "FR": "la-poste", "GB": "royal-mail",
    "GR": "greece-post", "HK": "hong-kong-post", "HU": "magyar-posta", "ID": "indonesia-post", "IE": "an-post",
    "IL": "israel-post", "IN": "india-post", "IT": "poste-italiane", "JP": "japan-post", "KR": "korea-post",
    "MO": "macao-post", "MX": "correos-mexico", "MY": "malaysia-post", "NL": "postnl", "NZ": "new-zealand-post",
    "PH": "phlpost", "PL": "poczta-polska", "PT": "ctt", "RO": "posta-romana", "RU": "russian-post",
    "SA": "saudi-post", "SE": "postnord", "SG": "singapore-post", "TH": "thailand-post", "TW": "taiwan-post",
    "US": "usps", "VN": "vietnam-post", "ZA": "south-africa-post",
}
# fmt: on
"""UPU S10 country suffix -> the postal operator's canonical code."""

S10_EMS_OPERATORS: Mapping[str, str] = {"CN": "china-ems"}
"""Countries whose EMS items (service indicator E*) are tracked under a separate carrier."""
