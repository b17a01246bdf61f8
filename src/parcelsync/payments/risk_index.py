"""A large merchant's intents at risk, assessed once per interval and kept, so no page assesses them all.

At a million shipments the SQL shortlist (`candidates.py`) names tens of thousands of intents; loading
and assessing their facts takes seconds. A merchant with more than `LIVE_INTENTS` intents gets a
`RiskIndex` instead: one small entry per intent at risk (order key, state, gateways, reasons, value),
built in chunks of `CHUNK` intents (memory stays bounded) and kept by `risk_cache`. Smaller merchants are
assessed live on every request, exactly as before.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.payments.candidates import candidate_intents
from parcelsync.payments.policy_store import get_policy
from parcelsync.payments.queries import gateway_providers, load_facts, routing_of
from parcelsync.payments.risk import Reason, RiskPolicy
from parcelsync.payments.views import IntentView, Summary, age_hours, view_of
from parcelsync.sync.gateways import default_gateway

LIVE_INTENTS = 5_000
"""Up to this many intents a merchant's payments are assessed live on every request."""
CHUNK = 1_000


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """What the list filters and the summary read of one intent at risk."""

    id: str
    shipped_on: date | None
    state: str
    gateways: tuple[str, ...]
    reasons: tuple[str, ...]
    value: tuple[tuple[str, Decimal], ...]

    def age_hours(self, now: datetime) -> float:
        return age_hours(self.shipped_on, now)


@dataclass(frozen=True, slots=True)
class RiskIndex:
    """The merchant's intents at risk as of `computed_at`, oldest shipped first, out of `intents`."""

    entries: tuple[IndexEntry, ...]
    intents: int
    computed_at: datetime
    summary: Summary
    ids: frozenset[str]

    @classmethod
    def of(cls, entries: Sequence[IndexEntry], intents: int, computed_at: datetime) -> RiskIndex:
        return cls(tuple(entries), intents, computed_at, summary_of(entries, intents, computed_at),
                   frozenset(e.id for e in entries))


def entry_of(view: IntentView) -> IndexEntry:
    return IndexEntry(
        id=view.id, shipped_on=view.facts.shipped_on, state=view.state,
        gateways=tuple(g.provider for g in view.facts.gateways), reasons=tuple(view.reasons),
        value=tuple(sorted(view.value.items())),
    )


def summary_of(entries: Sequence[IndexEntry], intents: int, as_of: datetime | None) -> Summary:
    """The same numbers `service.summarize` gives for the views of these entries (all at risk)."""
    counts: Counter[str] = Counter(r for e in entries for r in e.reasons)
    totals: dict[str, Decimal] = {}
    for entry in entries:
        for currency, amount in entry.value:
            totals[currency] = totals.get(currency, Decimal(0)) + amount
    return Summary(
        intents=intents, at_risk=len(entries), totals=dict(sorted(totals.items())),
        by_reason={r.value: counts[r.value] for r in Reason if counts[r.value]},
        without_value=sum(1 for e in entries if not e.value), as_of=as_of,
    )


async def iter_views(
    session: AsyncSession, merchant_id: str, ids: Sequence[str], policy: RiskPolicy, now: datetime,
    chunk: int = CHUNK,
) -> AsyncIterator[list[IntentView]]:
    """The views of `ids`, `chunk` at a time, each chunk in the order of `ids` (its facts dropped after)."""
    routing = await routing_of(session, merchant_id)
    for start in range(0, len(ids), chunk):
        part = ids[start : start + chunk]
        loaded = {f.payment_intent_id: f for f in await load_facts(session, merchant_id, part, routing)}
        yield [view_of(loaded[i], policy, now) for i in part if i in loaded]


async def at_risk_chunks(session: AsyncSession, merchant_id: str, now: datetime) -> AsyncIterator[list[IntentView]]:
    """The merchant's intents at risk, `CHUNK` candidates (`candidates.py`) assessed at a time, in no order."""
    policy = await get_policy(session, merchant_id)
    gateways = await gateway_providers(session, merchant_id)
    found = await candidate_intents(
        session, merchant_id, gateways, await default_gateway(session, merchant_id), policy, now
    )
    async for views in iter_views(session, merchant_id, sorted(found), policy, now):
        yield [v for v in views if v.at_risk]


async def build_index(session: AsyncSession, merchant_id: str, now: datetime, intents: int) -> RiskIndex:
    risky: list[tuple[float, str, IndexEntry]] = []
    async for views in at_risk_chunks(session, merchant_id, now):
        risky += [(-v.age_hours, v.id, entry_of(v)) for v in views]
    risky.sort(key=lambda t: (t[0], t[1]))
    return RiskIndex.of([e for _, _, e in risky], intents, now)
