"""Pure rules: transit-day statistics (median, 90th percentile) and the expected delivery window they give.

A lane is (carrier, destination country). A shipment's window comes from its lane when the lane has
enough samples, else from the carrier across destinations, else there is none; the basis says which.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

Basis = Literal["lane", "carrier", "none"]
ANY_DESTINATION = ""
MAX_TRANSIT_DAYS = 180
"""Longer "transits" are data errors (a parcel marked delivered months later) and are left out."""


@dataclass(frozen=True, slots=True)
class TransitStat:
    carrier: str
    destination_country: str
    samples: int
    median_days: int
    p90_days: int


@dataclass(frozen=True, slots=True)
class ExpectedDelivery:
    earliest: date | None
    latest: date | None
    basis: Basis


NO_ESTIMATE = ExpectedDelivery(None, None, "none")


def percentile(values: Sequence[int], q: float) -> int:
    """The nearest-rank percentile of sorted `values` (q in (0, 1])."""
    rank = max(1, math.ceil(q * len(values)))
    return values[rank - 1]


def transit_days(shipped: date, delivered: date) -> int | None:
    days = (delivered - shipped).days
    return days if 0 <= days <= MAX_TRANSIT_DAYS else None


def compute_stats(samples: Iterable[tuple[str, str | None, int]], *, min_samples: int) -> list[TransitStat]:
    """From (carrier, destination, transit days): one stat per lane and per carrier with at least `min_samples`."""
    groups: dict[tuple[str, str], list[int]] = {}
    for carrier, country, days in samples:
        groups.setdefault((carrier, ANY_DESTINATION), []).append(days)
        if country:
            groups.setdefault((carrier, country), []).append(days)
    stats = []
    for (carrier, country), lane_days in sorted(groups.items()):
        if len(lane_days) < min_samples:
            continue
        ordered = sorted(lane_days)
        stats.append(TransitStat(carrier, country, len(ordered), percentile(ordered, 0.5), percentile(ordered, 0.9)))
    return stats


def expected_delivery(
    shipped: date | None, carrier: str, country: str | None, stats: Mapping[tuple[str, str], TransitStat]
) -> ExpectedDelivery:
    """The window [shipped + median, shipped + p90] from the lane, else the carrier, else none."""
    if shipped is None:
        return NO_ESTIMATE
    lane = stats.get((carrier, country)) if country else None
    found, basis = (lane, "lane") if lane is not None else (stats.get((carrier, ANY_DESTINATION)), "carrier")
    if found is None:
        return NO_ESTIMATE
    return ExpectedDelivery(
        shipped + timedelta(days=found.median_days),
        shipped + timedelta(days=found.p90_days),
        basis,  # type: ignore[arg-type]
    )


def describe(window: ExpectedDelivery) -> str:
    """One line for people: "2026-12-04 – 2026-12-08 (lane)", or "no estimate"."""
    if window.earliest is None or window.latest is None:
        return "no estimate"
    return f"{window.earliest.isoformat()} – {window.latest.isoformat()} ({window.basis})"
