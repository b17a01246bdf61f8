"""Why a payment intent is at risk: each reason named, decided by a pure function over its facts.

Like `sync.retry.RetryPolicy.decide`, `assess` takes the facts and the time and returns values;
it never reads the database. A reason goes away by itself when its cause does: the gateway
accepts the numbers, a retry succeeds, a parcel leaves exception, reconcile finds the sets equal
(or a newer acknowledgement supersedes the finding), the parcel moves or is delivered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from parcelsync.payments.facts import GatewayFacts, IntentFacts, ParcelFacts

DEFAULT_ACCEPT_WITHIN_HOURS = 24
DEFAULT_STUCK_AFTER_DAYS = 7
DEFAULT_LATE_AFTER_DAYS = 30
EXPECTED_GRACE_DAYS = 1
"""Days past the latest expected delivery date before a parcel counts as late: the window is the lane's
90th percentile in whole days, so one more day keeps a scan that lands late in the evening (or in another
time zone) from flagging the payment. The same measure as the "late" alert rule with threshold 1."""
DONE_STATUSES = frozenset({"delivered", "expired"})
STARTED_STATUSES = frozenset({"in_transit", "out_for_delivery", "failed_attempt", "available_for_pickup", "exception"})


class Reason(StrEnum):
    """The named reasons a payment intent is at risk."""

    NOT_ACCEPTED = "not_accepted_in_time"
    REJECTED = "rejected_by_gateway"
    SET_DIFFERS = "gateway_set_differs"
    EXCEPTION = "parcel_exception"
    FAILED_ATTEMPT = "failed_attempt"
    STUCK = "stuck"
    LATE = "late"


LABELS: dict[Reason, str] = {
    Reason.NOT_ACCEPTED: "No tracking accepted by the gateway in time",
    Reason.REJECTED: "Rejected by the gateway",
    Reason.SET_DIFFERS: "Gateway holds other numbers than the hub",
    Reason.EXCEPTION: "Parcel in exception",
    Reason.FAILED_ATTEMPT: "Failed delivery attempt",
    Reason.STUCK: "Parcel stuck (no scan)",
    Reason.LATE: "Parcel late",
}


@dataclass(frozen=True, slots=True)
class RiskPolicy:
    """A merchant's thresholds (payment_settings; these defaults when the merchant set none)."""

    accept_within_hours: int = DEFAULT_ACCEPT_WITHIN_HOURS
    stuck_after_days: int = DEFAULT_STUCK_AFTER_DAYS
    late_after_days: int = DEFAULT_LATE_AFTER_DAYS


@dataclass(frozen=True, slots=True)
class Finding:
    """One reason, with what it concerns (a gateway connection or a parcel) and a sentence for people."""

    reason: Reason
    detail: str
    provider: str | None = None
    shipment_id: int | None = None

    @property
    def label(self) -> str:
        return LABELS[self.reason]


def _gateway_findings(intent: IntentFacts, gateway: GatewayFacts, policy: RiskPolicy, now: datetime) -> list[Finding]:
    out: list[Finding] = []
    shipped = intent.shipped_on
    if gateway.state in ("parked", "dead"):
        out.append(Finding(Reason.REJECTED, gateway.reason or "rejected", gateway.provider))
    if not gateway.accepted and shipped is not None:
        deadline = datetime(shipped.year, shipped.month, shipped.day, tzinfo=now.tzinfo) + timedelta(
            hours=policy.accept_within_hours
        )
        if now >= deadline:
            hours = int((now - deadline).total_seconds() // 3600) + policy.accept_within_hours
            detail = f"nothing accepted {hours} h after the ship date"
            out.append(Finding(Reason.NOT_ACCEPTED, detail, gateway.provider))
    check = gateway.check
    superseded = gateway.last_receipt is not None and check is not None and (
        gateway.last_receipt.acknowledged_at > check.checked_at
    )
    if check is not None and not superseded and set(check.hub) != set(check.remote):
        remote = ", ".join(check.remote) or "nothing"
        out.append(Finding(Reason.SET_DIFFERS, f"gateway holds {remote}; hub holds {', '.join(check.hub)}",
                           gateway.provider))
    return out


def _parcel_findings(parcel: ParcelFacts, policy: RiskPolicy, now: datetime) -> list[Finding]:
    if parcel.status in DONE_STATUSES:
        return []
    out: list[Finding] = []
    number = f"{parcel.carrier} {parcel.tracking_number}"
    if parcel.status == "exception":
        out.append(Finding(Reason.EXCEPTION, f"{number} is in exception", shipment_id=parcel.shipment_id))
    elif parcel.status == "failed_attempt":
        out.append(Finding(Reason.FAILED_ATTEMPT, f"{number}: delivery attempt failed", shipment_id=parcel.shipment_id))
    today = now.date()
    if parcel.expected_delivery is not None:
        if (today - parcel.expected_delivery).days > EXPECTED_GRACE_DAYS:
            out.append(Finding(Reason.LATE, f"{number} was expected by {parcel.expected_delivery.isoformat()}",
                               shipment_id=parcel.shipment_id))
    elif parcel.ship_date is not None and (today - parcel.ship_date).days > policy.late_after_days:
        out.append(Finding(Reason.LATE, f"{number} not delivered {(today - parcel.ship_date).days} days after shipping",
                           shipment_id=parcel.shipment_id))
    if parcel.status in STARTED_STATUSES:
        last = parcel.last_checkpoint_at
        if last is not None and now - last > timedelta(days=policy.stuck_after_days):
            out.append(Finding(Reason.STUCK, f"{number}: no scan for {(now - last).days} days",
                               shipment_id=parcel.shipment_id))
    return out


def assess(intent: IntentFacts, policy: RiskPolicy, now: datetime) -> tuple[Finding, ...]:
    """Every reason the intent is at risk now; empty when it is safe."""
    findings: list[Finding] = []
    for gateway in intent.gateways:
        findings.extend(_gateway_findings(intent, gateway, policy, now))
    for parcel in intent.parcels:
        findings.extend(_parcel_findings(parcel, policy, now))
    return tuple(findings)


def intent_state(intent: IntentFacts) -> str:
    """One word for the intent at its gateways: rejected, pending, accepted, or not_sent."""
    states = {g.state for g in intent.gateways}
    if states & {"parked", "dead"}:
        return "rejected"
    if "pending" in states:
        return "pending"
    if states and states <= {"synced"}:
        return "accepted"
    return "not_sent"


INTENT_STATES = ("accepted", "pending", "rejected", "not_sent")
