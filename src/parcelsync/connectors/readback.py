"""Read-back, an optional connector capability: read the provider's copy so reconcile can find drift."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from parcelsync.connectors.keys import HasTargetFields
from parcelsync.domain.carriers import CarrierRegistry

# Called as (provider, n) after each provider record compared: trackers read, trackings listed.
OnChecked = Callable[[str, int], None]


def no_progress(_provider: str, _count: int) -> None:
    return None


@dataclass(frozen=True, slots=True)
class Drift:
    """One target whose provider copy disagrees with the hub."""

    provider: str
    target_key: str
    kind: str
    hub: tuple[str, ...] = ()
    remote: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class HubCopy:
    """What the hub holds for a merchant: live parcels routed to the destination read back (a payment naming
    another gateway is not among them) and the (carrier, number) of deleted ones."""

    live: Sequence[HasTargetFields]
    deleted: frozenset[tuple[str, str]]
    registry: CarrierRegistry


@dataclass
class ReadBackResult:
    """Drift and errors found; `checked` is how many records were compared, None when the read failed."""

    checked: int | None = 0
    drift: list[Drift] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class ReadBack(Protocol):
    """Compare the hub's copy with the provider's, target by target; never raises for a provider error."""

    async def __call__(self, client: object, hub: HubCopy, progress: OnChecked) -> ReadBackResult: ...
