"""Languages of the tracking page: Babel message catalogs (compiled in memory), negotiation and date formats.

The catalogs are `locales/<lang>/LC_MESSAGES/tracking.po`, shipped with the package; they are compiled to
gettext translations on first use, so a .po edit needs no build step. Carriers' checkpoint texts are shown
as received; only the page's own words, status names and dates are translated.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel import Locale
from babel.core import get_global
from babel.dates import format_date, format_datetime, format_interval, get_timezone_location
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALES_DIR = Path(__file__).parent / "locales"
DOMAIN = "tracking"
DEFAULT_LANGUAGE = "en"
# The page's languages: the code used in URLs and HTML, and the language's own name for the switcher.
LANGUAGES: dict[str, str] = {
    "en": "English",
    "zh-Hans": "简体中文",
    "es": "Español",
    "fr": "Français",
    "de": "Deutsch",
    "ja": "日本語",
}
_BABEL_LOCALE = {"en": "en", "zh-Hans": "zh_Hans", "es": "es", "fr": "fr", "de": "de", "ja": "ja"}
_ALIASES = {"zh": "zh-Hans", "zh-cn": "zh-Hans", "zh-sg": "zh-Hans", "zh-hans": "zh-Hans", "zh-hans-cn": "zh-Hans"}
# Countries spanning several zones: the zone most of their buyers live in (until the browser says better).
_MAIN_ZONE = {
    "US": "America/New_York",
    "CA": "America/Toronto",
    "AU": "Australia/Sydney",
    "BR": "America/Sao_Paulo",
    "RU": "Europe/Moscow",
    "MX": "America/Mexico_City",
    "CN": "Asia/Shanghai",
    "DE": "Europe/Berlin",
    "ES": "Europe/Madrid",
    "ID": "Asia/Jakarta",
    "KZ": "Asia/Almaty",
}
UTC_ZONE = ZoneInfo("UTC")


def _known(code: str) -> str | None:
    lowered = code.strip().lower()
    if lowered in _ALIASES:
        return _ALIASES[lowered]
    for lang in LANGUAGES:
        if lang.lower() == lowered:
            return lang
    base = lowered.split("-")[0]
    if base == "zh":
        # Traditional Chinese (zh-TW, zh-Hant) is not offered: better English than the wrong script.
        return None
    return base if base in LANGUAGES else None


def negotiate(chosen: str | None, accept_language: str | None) -> str:
    """The page language: an explicit choice (switcher) if offered, else the best Accept-Language match."""
    if chosen and (lang := _known(chosen)):
        return lang
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept_language or "").split(",")[:20]):
        code, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if code and quality > 0:
            weighted.append((-quality, index, code))
    for _, _, code in sorted(weighted):
        if lang := _known(code):
            return lang
    return DEFAULT_LANGUAGE


@lru_cache(maxsize=len(LANGUAGES))
def translations(lang: str) -> Translations:
    """The compiled catalog of a language (English is the msgids themselves)."""
    path = LOCALES_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not path.exists():
        return Translations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=_BABEL_LOCALE[lang], domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def buyer_zone(chosen: str | None, country: str | None) -> ZoneInfo:
    """The buyer's time zone: the browser's (cookie / query) if valid, else the destination country's, else UTC."""
    if chosen and chosen in _zone_names():
        try:
            return ZoneInfo(chosen)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    if country:
        code = country.upper()
        zones: list[str] = list(get_global("territory_zones").get(code, ()))
        name = _MAIN_ZONE.get(code) or (zones[0] if zones else None)
        if name:
            try:
                return ZoneInfo(name)
            except ZoneInfoNotFoundError:
                pass
    return UTC_ZONE


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


@dataclass(frozen=True, slots=True)
class Localizer:
    """Everything the page renders in the buyer's language and zone."""

    lang: str
    zone: ZoneInfo

    @property
    def locale(self) -> Locale:
        return Locale.parse(_BABEL_LOCALE[self.lang])

    def gettext(self, message: str, **values: object) -> str:
        text = translations(self.lang).ugettext(message)
        return text % values if values else text

    def moment(self, value: datetime) -> str:
        return format_datetime(value, "medium", tzinfo=self.zone, locale=_BABEL_LOCALE[self.lang])

    def day(self, value: date | datetime) -> str:
        if isinstance(value, datetime):
            value = value.astimezone(self.zone).date()
        return format_date(value, "long", locale=_BABEL_LOCALE[self.lang])

    def window(self, earliest: date, latest: date) -> str:
        """"4 – 8 December 2026" in the buyer's language (one date when both are the same day)."""
        if earliest == latest:
            return self.day(earliest)
        return format_interval(earliest, latest, "yMMMd", locale=_BABEL_LOCALE[self.lang])

    def zone_label(self) -> str:
        if self.zone.key == "UTC":
            return "UTC"
        return get_timezone_location(self.zone, locale=_BABEL_LOCALE[self.lang])


def warm_up() -> None:
    """Compile every catalog and load every locale's date data now, not on a buyer's first request."""
    moment = datetime(2026, 1, 1, tzinfo=UTC_ZONE)
    for lang in LANGUAGES:
        translations(lang)
        loc = Localizer(lang, ZoneInfo("Europe/Paris"))
        loc.moment(moment)
        loc.day(moment)
        loc.zone_label()
    _zone_names()
