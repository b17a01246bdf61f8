"""What a provider receives for a carrier: a connector capability, with the registry's mapping as the default.

Most providers take the carrier's name from its column in the carrier registry (merchant overrides
first, then its connector's `carrier_codes`) and fall back to their explicit "unknown carrier" name;
a connector whose provider maps carriers its own way (an enum with a name beside `OTHER`, a slug or
nothing) sets `Connector.carrier_name`. `default_registry` is where every connector's carrier codes
meet the canonical table.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

from parcelsync.domain.carrier_data import CARRIERS
from parcelsync.domain.carriers import CarrierRegistry

if TYPE_CHECKING:
    from parcelsync.connectors.record import Connector


@dataclass(frozen=True, slots=True)
class SentCarrier:
    """The carrier as the provider receives it; `fallback` when that is its catch-all for unknown carriers."""

    code: str
    fallback: bool


class CarrierNamer(Protocol):
    def __call__(self, carrier: str, registry: CarrierRegistry) -> SentCarrier: ...


def sent_carrier(connector: Connector, carrier: str, registry: CarrierRegistry) -> SentCarrier:
    """What this connector's provider receives for `carrier` under `registry` (with the merchant's overrides)."""
    if connector.carrier_name is not None:
        return connector.carrier_name(carrier, registry)
    code = registry.code_for(connector.provider, carrier)
    return SentCarrier(code, code == registry.fallback(connector.provider))


@lru_cache(maxsize=1)
def default_registry() -> CarrierRegistry:
    """The built-in carriers with each provider's names (its connector's `carrier_codes`), no merchant overrides."""
    from parcelsync.connectors.registry import all_connectors  # the registry imports the connectors, which import this

    return CarrierRegistry(CARRIERS, {c.provider: c.carrier_codes for c in all_connectors()})
