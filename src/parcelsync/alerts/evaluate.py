"""Raise and resolve a merchant's alerts: compare what holds now with the alerts still open or acknowledged.

A (rule, subject) raises one alert; while it is open or acknowledged nothing more is raised for it; when
the cause goes away it is resolved (an `alert.resolved` event), and a later recurrence raises a new one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.alerts import conditions as c
from parcelsync.alerts.payments import payments_at_risk
from parcelsync.alerts.rules import RULES, effective_rules
from parcelsync.db.tables import AlertRow, AlertSettingsRow
from parcelsync.events import EventType, NewEvent, record_events

ACTIVE = ("open", "acknowledged")


@dataclass(frozen=True, slots=True)
class Evaluation:
    raised: list[AlertRow]
    resolved: list[AlertRow]


async def current_conditions(session: AsyncSession, merchant_id: str, *, now: datetime) -> list[c.Condition]:
    settings = await session.get(AlertSettingsRow, merchant_id)
    rules = effective_rules(settings.rules if settings else None)
    found: list[c.Condition] = []
    if rules["exception"].enabled:
        found += await c.exceptions(session, merchant_id)
    if rules["stuck"].enabled:
        found += await c.stuck(session, merchant_id, days=rules["stuck"].threshold or 7, now=now)
    if rules["late"].enabled:
        found += await c.late(session, merchant_id, grace_days=rules["late"].threshold or 0, now=now)
    if rules["sync_failed"].enabled:
        found += await c.sync_failed(session, merchant_id)
    if rules["connection_paused"].enabled:
        minutes = rules["connection_paused"].threshold or 15
        found += await c.connection_paused(session, merchant_id, minutes=minutes, now=now)
    if rules["payment_at_risk"].enabled:
        found += await payments_at_risk(session, merchant_id, now=now)
    return found


def _data(alert: AlertRow) -> dict[str, object]:
    return {
        "alert_id": alert.id,
        "rule": alert.rule,
        "severity": alert.severity,
        "title": alert.title,
        "subject": alert.subject,
        "detail": alert.detail,
        "opened_at": alert.opened_at.isoformat(),
    }


async def evaluate_merchant(session: AsyncSession, merchant_id: str, *, now: datetime) -> Evaluation:
    """One pass for one merchant (the caller holds its claim and commits)."""
    holding = {(x.rule, x.subject): x for x in await current_conditions(session, merchant_id, now=now)}
    active = {
        (a.rule, a.subject): a
        for a in await session.scalars(
            select(AlertRow).where(AlertRow.merchant_id == merchant_id, AlertRow.state.in_(ACTIVE))
        )
    }
    raised = [
        AlertRow(
            merchant_id=merchant_id,
            rule=cond.rule,
            subject=cond.subject,
            shipment_id=cond.shipment_id,
            severity=RULES[cond.rule].severity,
            state="open",
            title=cond.title[:500],
            detail=cond.detail,
            opened_at=now,
        )
        for key, cond in sorted(holding.items())
        if key not in active
    ]
    session.add_all(raised)
    resolved = [a for key, a in sorted(active.items()) if key not in holding]
    for alert in resolved:
        alert.state = "resolved"
        alert.resolved_at = now
    await session.flush()
    events = [NewEvent(EventType.ALERT_RAISED, _data(a), a.shipment_id, f"alert:{a.rule}:{a.subject}") for a in raised]
    events += [
        NewEvent(
            EventType.ALERT_RESOLVED,
            {**_data(a), "resolved_at": now.isoformat()},
            a.shipment_id,
            f"alert:{a.rule}:{a.subject}",
        )
        for a in resolved
    ]
    await record_events(session, merchant_id, events, now=now)
    return Evaluation(raised, resolved)


async def acknowledge(
    session: AsyncSession, merchant_id: str, alert_id: int, *, by: str, now: datetime
) -> AlertRow | None:
    """A person has seen it: no more mail about it; it still resolves by itself when the cause goes away."""
    alert = await session.scalar(select(AlertRow).where(AlertRow.merchant_id == merchant_id, AlertRow.id == alert_id))
    if alert is None:
        return None
    if alert.state == "open":
        alert.state = "acknowledged"
        alert.acknowledged_at = now
        alert.acknowledged_by = by[:100]
    return alert
