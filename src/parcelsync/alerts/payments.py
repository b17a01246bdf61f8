"""The `payment_at_risk` rule's conditions: one per payment intent and reason, from the payments module's own
assessment (`payments.service.list_intents`), with the reason's sentences and the intent's value."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.alerts.conditions import Condition
from parcelsync.payments import risk_index
from parcelsync.payments.candidates import intent_count
from parcelsync.payments.risk import LABELS, Finding, Reason
from parcelsync.payments.service import IntentFilter, IntentView, list_intents
from parcelsync.payments.value import format_amount


def _value(view: IntentView) -> str | None:
    return ", ".join(format_amount(amount, currency) for currency, amount in sorted(view.value.items())) or None


def intent_conditions(view: IntentView) -> list[Condition]:
    """One condition per reason the intent is at risk; the subject names both, so each reason alerts once."""
    by_reason: dict[Reason, list[Finding]] = defaultdict(list)
    for finding in view.findings:
        by_reason[finding.reason].append(finding)
    value = _value(view)
    out = []
    for reason, findings in sorted(by_reason.items()):
        shipments = sorted({f.shipment_id for f in findings if f.shipment_id is not None})
        title = f"payment {view.id} at risk: {LABELS[reason]}" + (f" ({value})" if value else "")
        out.append(
            Condition(
                "payment_at_risk",
                f"payment:{view.id}:{reason.value}",
                title,
                shipments[0] if len(shipments) == 1 else None,
                {
                    "payment_intent_id": view.id,
                    "reason": reason.value,
                    "details": "; ".join(f.detail for f in findings),
                    "value": value,
                    "gateways": ", ".join(sorted({f.provider for f in findings if f.provider})) or None,
                },
            )
        )
    return out


async def payments_at_risk(session: AsyncSession, merchant_id: str, *, now: datetime) -> list[Condition]:
    """A large merchant's candidates are assessed a chunk at a time (`risk_index.at_risk_chunks`): memory holds
    the conditions, never every intent's facts at once. Either way oldest shipped first."""
    if await intent_count(session, merchant_id) <= risk_index.LIVE_INTENTS:
        views = await list_intents(session, merchant_id, IntentFilter(at_risk=True), now)
        return [cond for view in views for cond in intent_conditions(view)]
    found: list[tuple[float, str, list[Condition]]] = []
    async for chunk in risk_index.at_risk_chunks(session, merchant_id, now):
        found += [(-view.age_hours, view.id, intent_conditions(view)) for view in chunk]
    found.sort(key=lambda t: (t[0], t[1]))
    return [cond for _, _, conds in found for cond in conds]
