"""The canonical carrier registry and its mapping onto each provider's carrier names.

Each provider names carriers its own way (a tracking provider's carrier code, a store's
tracking company, a gateway's carrier enum). parcelsync keeps one canonical code per carrier
and aliases that resolve user input onto it (`carrier_data`); each provider's names are its
`CarrierCodes`, declared in that provider's folder and handed to the registry by the connectors.
Per-merchant overrides fix provider lists that are only partly public. An unknown carrier maps
to each provider's explicit fallback.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from parcelsync.domain.provider import Provider

_ALIAS_STRIP = re.compile(r"[\s\-_.&'/()]+")


def alias_key(name: str) -> str:
    """The form aliases are compared in: lower case, no spaces or punctuation."""
    return _ALIAS_STRIP.sub("", name.strip().lower())


@dataclass(frozen=True, slots=True)
class Carrier:
    """One canonical carrier: its code, display name, tracking-page URL and aliases.

    What each provider calls it is that provider's `CarrierCodes` (declared by its connector).
    """

    code: str
    name: str
    url_template: str | None = None
    aliases: tuple[str, ...] = ()

    def tracking_url(self, tracking_number: str) -> str | None:
        """The carrier's public tracking page for a number, if the carrier has one."""
        if not self.url_template:
            return None
        return self.url_template.format(number=tracking_number)


@dataclass(frozen=True, slots=True)
class CarrierCodes:
    """One provider's names for the canonical carriers, owned by that provider's folder.

    - `codes`: canonical code -> the provider's name; a carrier missing here gets `fallback`.
    - `fallback`: the provider's explicit name for a carrier it does not know ("" = send none).
    - `names_resolve`: the provider's names also resolve user input onto the carrier (e.g. a
      TrackingMore `carrier_code` given as a shipment's carrier).
    """

    codes: Mapping[str, str]
    fallback: str
    names_resolve: bool = False

    def code_of(self, canonical: str) -> str:
        return self.codes.get(canonical, self.fallback)


@dataclass(frozen=True)
class CarrierRegistry:
    """Carriers by canonical code and alias, each provider's codes, and per-merchant overrides.

    `codes` comes from the connectors (`connectors.carriers.default_registry`); `overrides` maps
    (provider, canonical code) to a merchant's own name.
    """

    carriers: tuple[Carrier, ...]
    codes: Mapping[Provider, CarrierCodes] = field(default_factory=dict)
    overrides: Mapping[tuple[Provider, str], str] = field(default_factory=dict)
    _index: dict[str, Carrier] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, Carrier] = {}
        for carrier in self.carriers:
            index.setdefault(alias_key(carrier.code), carrier)
        for carrier in self.carriers:
            for key in self.lookup_keys(carrier):
                index.setdefault(key, carrier)
        object.__setattr__(self, "_index", index)

    def lookup_keys(self, carrier: Carrier) -> frozenset[str]:
        """Every alias key a carrier answers to: code, name, aliases, and the names of providers whose
        names resolve; never a provider's fallback name."""
        resolving = [c.code_of(carrier.code) for c in self.codes.values() if c.names_resolve]
        names = (carrier.code, carrier.name, *carrier.aliases, *resolving)
        fallbacks = {alias_key(c.fallback) for c in self.codes.values()}
        return frozenset(key for key in map(alias_key, names) if key and key not in fallbacks)

    def fallback(self, provider: Provider) -> str:
        """What the provider calls a carrier it does not know."""
        return self.codes[provider].fallback

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
            return self.codes[provider].code_of(known.code)
        return self.fallback(provider)

    def tracking_url(self, carrier: str, tracking_number: str) -> str | None:
        known = self.resolve(carrier)
        return known.tracking_url(tracking_number) if known else None

    def with_overrides(self, overrides: Iterable[tuple[Provider, str, str]]) -> CarrierRegistry:
        """A copy with merchant-specific (provider, carrier, provider_name) overrides applied."""
        merged = dict(self.overrides)
        for provider, carrier, name in overrides:
            merged[(Provider(provider), self.canonical(carrier))] = name
        return CarrierRegistry(self.carriers, self.codes, merged)
