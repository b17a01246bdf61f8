"""The alert rules, their defaults, and a merchant's settings merged over them (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["warning", "critical"]


@dataclass(frozen=True, slots=True)
class Rule:
    """One kind of alert; `threshold` (with its `unit`) is what a merchant may tune."""

    name: str
    severity: Severity
    description: str
    threshold: float | None = None
    unit: str | None = None


RULES: dict[str, Rule] = {
    r.name: r
    for r in (
        Rule("exception", "warning", "a parcel has a delivery exception or a failed delivery attempt"),
        Rule("stuck", "warning", "no new checkpoint for N days while not delivered", 7, "days"),
        Rule("late", "warning", "not delivered N days after the latest expected date", 0, "days"),
        Rule("sync_failed", "critical", "a destination refused a target (parked) or it ran out of attempts (dead)"),
        Rule("connection_paused", "critical", "a provider connection paused for more than N minutes", 15, "minutes"),
        Rule("payment_at_risk", "critical", "a payment intent is at risk: one alert per intent and reason"),
    )
}


@dataclass(frozen=True, slots=True)
class RuleSetting:
    enabled: bool
    threshold: float | None


def effective_rules(stored: Mapping[str, Any] | None) -> dict[str, RuleSetting]:
    """Every rule with the merchant's choice over the default (on, with the default threshold)."""
    stored = stored or {}
    out: dict[str, RuleSetting] = {}
    for name, rule in RULES.items():
        mine = stored.get(name) or {}
        threshold = mine.get("threshold", rule.threshold) if rule.threshold is not None else None
        out[name] = RuleSetting(bool(mine.get("enabled", True)), float(threshold) if threshold is not None else None)
    return out
