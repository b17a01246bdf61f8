"""One page of payment intents with the total and the summary of the filter, without loading every intent.

A merchant assessed live (`risk_index.LIVE_INTENTS`) gets exactly `service.list_intents`. A large one:
filters on risk (at_risk=true, a reason, state=rejected: always at risk) read its `RiskIndex` and load
the facts of the page only; no filter, ages and at_risk=false page in SQL (`ordering`), skipping the
index's intents for at_risk=false. A gateway filter is decided at once with at most one gateway
connection. Other state filters, and gateway filters among several gateways, need each intent's gateway
facts: without gateway connections every intent is `not_sent`; with some they are assessed chunk by
chunk in order (memory stays bounded, the time does not: the one path left that reads every intent).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.payments.ordering import DayBounds, count_ids, page_ids, stream_ids
from parcelsync.payments.policy_store import get_policy
from parcelsync.payments.queries import gateway_providers
from parcelsync.payments.risk_cache import risk_index
from parcelsync.payments.risk_index import IndexEntry, RiskIndex, iter_views, summary_of
from parcelsync.payments.service import IntentFilter, list_intents, matches, summarize
from parcelsync.payments.views import IntentView, Summary


@dataclass(frozen=True, slots=True)
class IntentPage:
    items: list[IntentView]
    total: int
    summary: Summary


async def page_intents(
    session: AsyncSession, merchant_id: str, flt: IntentFilter, now: datetime, *, limit: int, offset: int = 0
) -> IntentPage:
    """Intents `offset` to `offset + limit` of the filter, oldest shipped first; the total and the summary
    (of the intents at risk among all that match) as `list_intents` + `summarize` give them."""
    index = await risk_index(session, merchant_id, now)
    if index is None:
        views = await list_intents(session, merchant_id, flt, now)
        return IntentPage(views[offset : offset + limit], len(views), summarize(views))
    bounds = DayBounds.of(now, min_age_hours=flt.min_age_hours, max_age_hours=flt.max_age_hours,
                          shipped_from=flt.shipped_from, shipped_to=flt.shipped_to)
    if flt.gateway is not None:
        gateways = await gateway_providers(session, merchant_id)
        if len(gateways) <= 1:
            # with one gateway connection every intent is routed to it (`queries.routed_gateways`); with none, none
            if flt.gateway not in gateways:
                return IntentPage([], 0, summary_of([], 0, index.computed_at))
            flt = replace(flt, gateway=None)
    if flt.at_risk is True or flt.reason is not None or flt.state == "rejected":
        # a rejected intent is always at risk: its parked or dead target is `rejected_by_gateway` (`risk.py`)
        return await _from_index(session, merchant_id, index, flt, now, bounds, limit, offset)
    if flt.state is not None or flt.gateway is not None:
        if await gateway_providers(session, merchant_id):
            return await _walked(session, merchant_id, index, flt, now, bounds, limit, offset)
        if flt.gateway is not None or flt.state != "not_sent":
            return IntentPage([], 0, summary_of([], 0, index.computed_at))
    every = bounds == DayBounds()
    risky = index.entries if every else [e for e in index.entries if bounds.holds(e.shipped_on)]
    if flt.at_risk is False:
        return await _safe(session, merchant_id, index, now, bounds, len(risky), limit, offset)
    ids, total = await page_ids(session, merchant_id, now, bounds, limit=limit, offset=offset)
    summary = replace(index.summary, intents=total) if every else summary_of(risky, total, index.computed_at)
    return IntentPage(await _views(session, merchant_id, ids, now), total, summary)


def _entry_matches(entry: IndexEntry, flt: IntentFilter, bounds: DayBounds) -> bool:
    return (
        flt.at_risk is not False
        and (flt.state is None or entry.state == flt.state)
        and (flt.gateway is None or flt.gateway in entry.gateways)
        and (flt.reason is None or flt.reason in entry.reasons)
        and bounds.holds(entry.shipped_on)
    )


async def _from_index(
    session: AsyncSession, merchant_id: str, index: RiskIndex, flt: IntentFilter, now: datetime, bounds: DayBounds,
    limit: int, offset: int,
) -> IntentPage:
    chosen = [e for e in index.entries if _entry_matches(e, flt, bounds)]
    ids = [e.id for e in chosen[offset : offset + limit]]
    return IntentPage(await _views(session, merchant_id, ids, now), len(chosen),
                      summary_of(chosen, len(chosen), index.computed_at))


async def _safe(
    session: AsyncSession, merchant_id: str, index: RiskIndex, now: datetime, bounds: DayBounds, risky: int,
    limit: int, offset: int,
) -> IntentPage:
    """at_risk=false: the intents in order, less those the index holds."""
    at_risk = index.ids
    ids: list[str] = []
    skipped = 0
    async for part in stream_ids(session, merchant_id, now, bounds):
        for intent, _ in part:
            if intent in at_risk:
                continue
            if skipped < offset:
                skipped += 1
            elif len(ids) < limit:
                ids.append(intent)
        if len(ids) >= limit:
            break
    total = await count_ids(session, merchant_id, now, bounds) - risky
    return IntentPage(await _views(session, merchant_id, ids, now), total, summary_of([], total, index.computed_at))


async def _walked(
    session: AsyncSession, merchant_id: str, index: RiskIndex, flt: IntentFilter, now: datetime, bounds: DayBounds,
    limit: int, offset: int,
) -> IntentPage:
    """State or gateway filters with gateway connections: every intent assessed, a chunk at a time."""
    policy = await get_policy(session, merchant_id)
    items: list[IntentView] = []
    risky: list[IndexEntry] = []
    total = 0
    async for part in stream_ids(session, merchant_id, now, bounds):
        async for views in iter_views(session, merchant_id, [i for i, _ in part], policy, now):
            for view in views:
                if not matches(view, flt):
                    continue
                if offset <= total < offset + limit:
                    items.append(view)
                total += 1
                if view.at_risk:
                    risky.append(_light(view))
    return IntentPage(items, total, summary_of(risky, total, None))


def _light(view: IntentView) -> IndexEntry:
    return IndexEntry(view.id, None, view.state, (), tuple(view.reasons), tuple(sorted(view.value.items())))


async def _views(session: AsyncSession, merchant_id: str, ids: Sequence[str], now: datetime) -> list[IntentView]:
    """The views of `ids`, fresh from the database, in that order."""
    policy = await get_policy(session, merchant_id)
    out: list[IntentView] = []
    async for views in iter_views(session, merchant_id, ids, policy, now):
        out += views
    return out
