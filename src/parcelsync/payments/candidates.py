"""The payment intents that may be at risk, found in SQL, so a page of them never loads every intent.

Each query below is a necessary condition of one family of reasons in `risk.assess` (a superset: an
intent it names may still turn out safe); `assess` alone decides, on the facts of the candidates.
A new reason in `risk.py` needs its condition here too (tests/integration/payments/test_at_risk.py
checks that the candidates hold every intent at risk).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.db.tables import CheckpointRow, GatewayCheckRow, ShipmentRow, SyncReceiptRow, SyncTargetRow
from parcelsync.expected.store import load_stats
from parcelsync.payments.risk import DONE_STATUSES, EXPECTED_GRACE_DAYS, STARTED_STATUSES, RiskPolicy
from parcelsync.sync.keys import selector_condition

PROBLEM_STATUSES = ("exception", "failed_attempt")


def _live(merchant_id: str) -> list[Any]:
    return [
        ShipmentRow.merchant_id == merchant_id,
        ShipmentRow.deleted_at.is_(None),
        ShipmentRow.payment_intent_id.is_not(None),
    ]


async def _intents(session: AsyncSession, *where: Any) -> set[str]:
    rows = await session.scalars(select(ShipmentRow.payment_intent_id).where(*where).distinct())
    return {r for r in rows if r}


async def _past_expected(session: AsyncSession, merchant_id: str, now: datetime) -> list[Any]:
    """Parcels that may be past their expected date (`expected.transit.expected_delivery`) plus the grace.

    A parcel's latest expected date is its ship day plus the p90 of its lane or, lacking one, of its
    carrier, so the carrier's smallest p90 over all its rows gives the earliest day it can be late.
    """
    shortest: dict[str, int] = {}
    for (carrier, _), stat in (await load_stats(session, merchant_id)).items():
        shortest[carrier] = min(stat.p90_days, shortest.get(carrier, stat.p90_days))
    by_days: dict[int, list[str]] = defaultdict(list)
    for carrier, days in sorted(shortest.items()):
        by_days[days].append(carrier)
    conditions = []
    for days, carriers in sorted(by_days.items()):
        shipped_before = now.date() - timedelta(days=days + EXPECTED_GRACE_DAYS)
        registered_before = datetime.combine(shipped_before, datetime.min.time(), now.tzinfo)
        shipped = or_(
            ShipmentRow.ship_date < shipped_before,
            and_(ShipmentRow.ship_date.is_(None), ShipmentRow.created_at < registered_before),
        )
        conditions.append(and_(ShipmentRow.carrier.in_(carriers), shipped))
    return conditions


async def candidate_intents(
    session: AsyncSession, merchant_id: str, gateways: Sequence[str], default: str | None, policy: RiskPolicy,
    now: datetime,
) -> set[str]:
    """Every intent of the merchant that some reason could hold for now (the indexed conditions only).

    `gateways` are the merchant's payment-gateway connections, `default` its default gateway: a parcel
    counts against the gateway it is routed to, or against all of them while routed to none.
    """
    live = _live(merchant_id)
    today = now.date()
    found = await _intents(session, *live, ShipmentRow.status.in_(PROBLEM_STATUSES))
    late = [ShipmentRow.ship_date < today - timedelta(days=policy.late_after_days)]
    late += await _past_expected(session, merchant_id, now)
    found |= await _intents(session, *live, ShipmentRow.status.not_in(sorted(DONE_STATUSES)), or_(*late))
    recent_scan = exists().where(
        CheckpointRow.shipment_id == ShipmentRow.id, CheckpointRow.time >= now - timedelta(days=policy.stuck_after_days)
    )
    found |= await _intents(session, *live, ShipmentRow.status.in_(sorted(STARTED_STATUSES)), ~recent_scan)
    checks = select(GatewayCheckRow.payment_intent_id).where(GatewayCheckRow.merchant_id == merchant_id)
    found |= set(await session.scalars(checks))
    if not gateways:
        return found
    found |= set(
        await session.scalars(
            select(SyncTargetRow.target_key).where(
                SyncTargetRow.merchant_id == merchant_id,
                SyncTargetRow.provider.in_(list(gateways)),
                SyncTargetRow.state.in_(("parked", "dead")),
            )
        )
    )
    due = (now - timedelta(hours=policy.accept_within_hours)).date()
    day_after = datetime.combine(due, datetime.min.time(), now.tzinfo) + timedelta(days=1)
    shipped_by_then = or_(
        ShipmentRow.ship_date <= due, and_(ShipmentRow.ship_date.is_(None), ShipmentRow.created_at < day_after)
    )
    routed = {g: selector_condition(g, gateway=default) for g in gateways}
    unreceipted = [
        and_(
            routed[gateway],
            ~exists().where(
                SyncTargetRow.merchant_id == merchant_id,
                SyncTargetRow.provider == gateway,
                SyncTargetRow.target_key == ShipmentRow.payment_intent_id,
                SyncTargetRow.acked_version > 0,
            ),
            ~exists().where(
                SyncReceiptRow.merchant_id == merchant_id,
                SyncReceiptRow.provider == gateway,
                SyncReceiptRow.target_key == ShipmentRow.payment_intent_id,
            ),
        )
        for gateway in gateways
    ]
    nowhere = and_(*(~condition for condition in routed.values()))
    found |= await _intents(session, *live, shipped_by_then, or_(nowhere, *unreceipted))
    return found


async def intent_count(session: AsyncSession, merchant_id: str) -> int:
    """How many payment intents the merchant has with live parcels."""
    count = await session.scalar(
        select(func.count(func.distinct(ShipmentRow.payment_intent_id))).where(*_live(merchant_id))
    )
    return int(count or 0)
