"""Payment intents as the API, the dashboard and the CLI show them: listed with filters, one in detail, a summary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.db.tables import SyncTargetRow
from parcelsync.payments.candidates import candidate_intents, intent_count
from parcelsync.payments.policy_store import get_policy
from parcelsync.payments.queries import gateway_providers, load_intents
from parcelsync.payments.risk import Reason
from parcelsync.payments.risk_cache import CACHE, PENDING
from parcelsync.payments.value import totals_by_currency
from parcelsync.payments.views import IntentView, Summary, view_of
from parcelsync.sync.gateways import default_gateway

__all__ = [
    "IntentFilter", "IntentView", "Summary", "at_risk_summary", "at_risk_summary_if_ready", "get_intent",
    "list_intents", "summarize",
]


@dataclass(frozen=True, slots=True)
class IntentFilter:
    at_risk: bool | None = None
    state: str | None = None
    min_age_hours: float | None = None
    max_age_hours: float | None = None
    gateway: str | None = None
    reason: str | None = None
    shipped_from: date | None = None
    shipped_to: date | None = None


def matches(view: IntentView, flt: IntentFilter) -> bool:
    shipped = view.facts.shipped_on
    checks = (
        flt.at_risk is None or view.at_risk == flt.at_risk,
        flt.state is None or view.state == flt.state,
        flt.min_age_hours is None or view.age_hours >= flt.min_age_hours,
        flt.max_age_hours is None or view.age_hours <= flt.max_age_hours,
        flt.gateway is None or any(g.provider == flt.gateway for g in view.facts.gateways),
        flt.reason is None or flt.reason in view.reasons,
        flt.shipped_from is None or (shipped is not None and shipped >= flt.shipped_from),
        flt.shipped_to is None or (shipped is not None and shipped <= flt.shipped_to),
    )
    return all(checks)


async def list_intents(
    session: AsyncSession, merchant_id: str, flt: IntentFilter, now: datetime
) -> list[IntentView]:
    """The merchant's payment intents matching the filter, oldest (earliest shipped) first.

    Asked only for intents at risk (or with a reason), only the candidates SQL finds are loaded and assessed.
    """
    policy = await get_policy(session, merchant_id)
    only: set[str] | None = None
    if flt.at_risk is True or flt.reason is not None:
        gateways = await gateway_providers(session, merchant_id)
        only = await candidate_intents(
            session, merchant_id, gateways, await default_gateway(session, merchant_id), policy, now
        )
        if not only:
            return []
    views = [view_of(f, policy, now) for f in (await load_intents(session, merchant_id, intent_ids=only)).facts]
    chosen = [v for v in views if matches(v, flt)]
    return sorted(chosen, key=lambda v: (-v.age_hours, v.id))


async def get_intent(session: AsyncSession, merchant_id: str, intent_id: str, now: datetime) -> IntentView | None:
    loaded = await load_intents(session, merchant_id, intent_ids=[intent_id])
    if not loaded.facts:
        return None
    return view_of(loaded.facts[0], await get_policy(session, merchant_id), now)


def summarize(views: Sequence[IntentView]) -> Summary:
    risky = [v for v in views if v.at_risk]
    counts: Counter[str] = Counter(r for v in risky for r in v.reasons)
    return Summary(
        intents=len(views),
        at_risk=len(risky),
        totals=totals_by_currency(v.facts for v in risky),
        by_reason={r.value: counts[r.value] for r in Reason if counts[r.value]},
        without_value=sum(1 for v in risky if not v.value),
    )


async def at_risk_summary(session: AsyncSession, merchant_id: str, now: datetime) -> Summary:
    """The overview's numbers: the intents at risk, out of how many there are (counted, not loaded).

    A large merchant's come from its risk index (`risk_cache`), as of when that was built (`Summary.as_of`).
    """
    found = await at_risk_summary_if_ready(session, merchant_id, now, wait=True)
    assert found is not None
    return found


async def at_risk_summary_if_ready(
    session: AsyncSession, merchant_id: str, now: datetime, *, wait: bool = False
) -> Summary | None:
    """`at_risk_summary`, or None while a large merchant's first index is being built (the overview's way)."""
    index = await CACHE.get(session, merchant_id, now, wait=wait)
    if index is PENDING:
        return None
    if index is not None:
        return index.summary
    risky = summarize(await list_intents(session, merchant_id, IntentFilter(at_risk=True), now))
    return replace(risky, intents=await intent_count(session, merchant_id))


async def gateway_outcomes(session: AsyncSession, merchant_id: str, view: IntentView) -> dict[str, dict[str, Any]]:
    """Per gateway connection: what it last accepted (numbers, when, request id) and what it rejected, and why."""
    ids = [g.target_id for g in view.facts.gateways if g.target_id is not None]
    targets = {
        r.id: r
        for r in (
            await session.scalars(
                select(SyncTargetRow).where(SyncTargetRow.merchant_id == merchant_id, SyncTargetRow.id.in_(ids))
            )
        ).all()
    } if ids else {}
    out: dict[str, dict[str, Any]] = {}
    for gateway in view.facts.gateways:
        target = targets.get(gateway.target_id) if gateway.target_id is not None else None
        receipt = gateway.last_receipt
        last = target.last_outcome if target is not None else None
        rejected = None
        if target is not None and (target.state in ("parked", "dead") or (last and last.get("ok") is False)):
            seen = last or {}
            attempted = target.last_attempt_at.isoformat() if target.last_attempt_at else None
            rejected = {
                "at": seen.get("at") or attempted,
                "version": seen.get("version"),
                "reason": target.reason or seen.get("reason"),
                "error": seen.get("error"),
            }
        out[gateway.provider] = {
            "state": gateway.state or "not_queued",
            "target_id": gateway.target_id,
            "accepted": None if receipt is None else {
                "numbers": sorted(receipt.numbers),
                "at": receipt.acknowledged_at.isoformat(),
                "version": receipt.version,
                "request_id": receipt.request_id,
            },
            "rejected": rejected,
            "reconcile": None if gateway.check is None else {
                "checked_at": gateway.check.checked_at.isoformat(),
                "hub": list(gateway.check.hub),
                "gateway": list(gateway.check.remote),
            },
        }
    return out

