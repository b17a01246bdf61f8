"""The carrier mapping page's rows: each carrier the merchant ships with, and what each connection receives for it.

Pure: built from the carrier counts, the merchant's registry (overrides applied) and its connections.
Rows whose carrier goes to some provider as its fallback ("Other", "others") come first: those are
the ones a merchant most likely wants to name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from parcelsync.connectors.carriers import SentCarrier, sent_carrier
from parcelsync.connectors.record import Connector
from parcelsync.domain.carriers import CarrierRegistry


@dataclass(frozen=True, slots=True)
class Cell:
    """One carrier at one provider: what is sent, and the merchant's override when it has one."""

    connector: Connector
    carrier: str
    sent: SentCarrier
    override: str | None

    @property
    def dom_id(self) -> str:
        return f"map-{self.connector.id}-{self.carrier}"


@dataclass(frozen=True, slots=True)
class CarrierRow:
    carrier: str
    name: str
    known: bool
    count: int
    cells: tuple[Cell, ...]

    @property
    def has_fallback(self) -> bool:
        return any(c.sent.fallback for c in self.cells)


def cell(connector: Connector, carrier: str, registry: CarrierRegistry) -> Cell:
    canonical = registry.canonical(carrier)
    override = registry.overrides.get((connector.provider, canonical))
    return Cell(connector, canonical, sent_carrier(connector, canonical, registry), override)


def carrier_rows(
    counts: Sequence[tuple[str, int]], registry: CarrierRegistry, connectors: Sequence[Connector]
) -> list[CarrierRow]:
    """One row per carrier; fallback rows first, then by parcel count, then by name."""
    rows = []
    for carrier, count in counts:
        known = registry.resolve(carrier)
        canonical = registry.canonical(carrier)
        rows.append(
            CarrierRow(
                carrier=canonical,
                name=known.name if known is not None else (carrier or "(no carrier)"),
                known=known is not None,
                count=count,
                cells=tuple(cell(c, canonical, registry) for c in connectors),
            )
        )
    return sorted(rows, key=lambda r: (not r.has_fallback, -r.count, r.name.lower()))
