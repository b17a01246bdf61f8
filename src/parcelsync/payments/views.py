"""A payment intent as it is shown (its facts, state, findings, value and age) and the summary of many."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from parcelsync.payments.facts import IntentFacts
from parcelsync.payments.risk import Finding, RiskPolicy, assess, intent_state
from parcelsync.payments.value import intent_value


@dataclass(frozen=True, slots=True)
class IntentView:
    """One payment intent with its value, state at the gateways and the reasons it is at risk."""

    facts: IntentFacts
    state: str
    findings: tuple[Finding, ...]
    value: dict[str, Decimal]
    age_hours: float

    @property
    def id(self) -> str:
        return self.facts.payment_intent_id

    @property
    def at_risk(self) -> bool:
        return bool(self.findings)

    @property
    def reasons(self) -> list[str]:
        return sorted({f.reason.value for f in self.findings})


@dataclass(frozen=True, slots=True)
class Summary:
    """At-risk intents: how many, their value per currency, and how many carry each reason.

    `as_of` is when a large merchant's numbers were computed (`risk_index`); None: just now.
    """

    intents: int
    at_risk: int
    totals: dict[str, Decimal]
    by_reason: dict[str, int] = field(default_factory=dict)
    without_value: int = 0
    as_of: datetime | None = None


def age_hours(shipped: date | None, now: datetime) -> float:
    """Hours since the start of the ship day (0 for none, or a day still ahead)."""
    start = datetime(shipped.year, shipped.month, shipped.day, tzinfo=now.tzinfo) if shipped else now
    return max(0.0, (now - start).total_seconds() / 3600)


def view_of(facts: IntentFacts, policy: RiskPolicy, now: datetime) -> IntentView:
    return IntentView(
        facts=facts, state=intent_state(facts), findings=assess(facts, policy, now), value=intent_value(facts),
        age_hours=age_hours(facts.shipped_on, now),
    )
