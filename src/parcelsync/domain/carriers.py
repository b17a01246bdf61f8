"""The canonical carrier registry and its mapping onto each provider's carrier names.

Each provider names carriers its own way (TrackingMore `carrier_code`, UseePay `carrier`,
SHOPLINE `tracking_company`). parcelsync keeps one canonical code per carrier, aliases that
resolve user input onto it, and per-merchant overrides for provider lists that are only
partly public. An unknown carrier maps to each provider's explicit fallback.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from parcelsync.domain.provider import Provider

_ALIAS_STRIP = re.compile(r"[\s\-_.&'/()]+")


def alias_key(name: str) -> str:
    """The form aliases are compared in: lower case, no spaces or punctuation."""
    return _ALIAS_STRIP.sub("", name.strip().lower())


@dataclass(frozen=True, slots=True)
class Carrier:
    """One carrier: its canonical code, display name, per-provider names and tracking-page URL."""

    code: str
    name: str
    trackingmore: str
    useepay: str
    shopline: str
    url_template: str | None = None
    aliases: tuple[str, ...] = ()
    paypal: str = "OTHER"
    aftership: str = ""
    """PayPal's carrier enum and AfterShip's slug; filled from the providers' tables by their connectors
    (`connectors/<name>/carriers.py`); "" for AfterShip means "let AfterShip detect the courier"."""

    def code_for(self, provider: Provider) -> str:
        """This carrier's name at a provider: the column named by the provider's id."""
        code = getattr(self, provider.value, None)
        if not isinstance(code, str):
            raise KeyError(f"no carrier-code column for provider {provider.value!r}")
        return code

    def tracking_url(self, tracking_number: str) -> str | None:
        """The carrier's public tracking page for a number, if the carrier has one."""
        if not self.url_template:
            return None
        return self.url_template.format(number=tracking_number)

    def lookup_keys(self) -> frozenset[str]:
        """Every alias key this carrier answers to: code, name, aliases, TrackingMore code, SHOPLINE name."""
        names = (self.code, self.name, *self.aliases, self.trackingmore, self.shopline)
        fallbacks = {alias_key(code) for code in FALLBACK_CODES.values()}
        return frozenset(key for key in map(alias_key, names) if key and key not in fallbacks)


FALLBACK = Carrier("other", "Other", "other", "others", "Other")
"""What each provider calls a carrier it does not know (its explicit fallback)."""

FALLBACK_CODES: Mapping[Provider, str] = {p: FALLBACK.code_for(p) for p in Provider}


@dataclass(frozen=True)
class CarrierRegistry:
    """Carriers by canonical code and alias, plus per-merchant overrides (provider, code) -> name."""

    carriers: tuple[Carrier, ...]
    overrides: Mapping[tuple[Provider, str], str] = field(default_factory=dict)
    _index: dict[str, Carrier] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, Carrier] = {}
        for carrier in self.carriers:
            index.setdefault(alias_key(carrier.code), carrier)
        for carrier in self.carriers:
            for key in carrier.lookup_keys():
                index.setdefault(key, carrier)
        object.__setattr__(self, "_index", index)

    def resolve(self, name: str | None) -> Carrier | None:
        """The carrier a user-given name or alias means, or None if it is not known."""
        if not name:
            return None
        return self._index.get(alias_key(name))

    def canonical(self, name: str) -> str:
        """Canonical code for a name; an unknown name is kept, normalised, so it can be overridden."""
        carrier = self.resolve(name)
        return carrier.code if carrier else alias_key(name)

    def code_for(self, provider: Provider, carrier: str) -> str:
        """The provider's name for a carrier: merchant override, then registry, then fallback."""
        canonical = self.canonical(carrier)
        override = self.overrides.get((provider, canonical))
        if override:
            return override
        known = self.resolve(canonical)
        if known is not None:
            return known.code_for(provider)
        return FALLBACK_CODES[provider]

    def tracking_url(self, carrier: str, tracking_number: str) -> str | None:
        known = self.resolve(carrier)
        return known.tracking_url(tracking_number) if known else None

    def with_overrides(self, overrides: Iterable[tuple[Provider, str, str]]) -> CarrierRegistry:
        """A copy with merchant-specific (provider, carrier, provider_name) overrides applied."""
        merged = dict(self.overrides)
        for provider, carrier, name in overrides:
            merged[(Provider(provider), self.canonical(carrier))] = name
        return CarrierRegistry(self.carriers, merged)


@lru_cache(maxsize=1)
def default_registry() -> CarrierRegistry:
    """The built-in registry of cross-border carriers (see carrier_data), without merchant overrides."""
    from parcelsync.domain.carrier_data import CARRIERS  # carrier_data imports Carrier from here

    return CarrierRegistry(CARRIERS)
