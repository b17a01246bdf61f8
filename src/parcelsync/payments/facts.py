"""The facts about one payment intent that the at-risk rules and the evidence pack read (plain values, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class ParcelFacts:
    """One live parcel of the intent."""

    shipment_id: int
    tracking_number: str
    carrier: str
    status: str
    ship_date: date | None
    created_at: datetime
    updated_at: datetime
    order_id: str | None = None
    order_value: str | None = None
    currency: str | None = None
    delivered_at: datetime | None = None
    last_checkpoint_at: datetime | None = None
    expected_delivery: date | None = None
    """The latest day of the expected window (`expected.store.expected_for`, as the API shows it); None: none."""


@dataclass(frozen=True, slots=True)
class Receipt:
    """One version a provider acknowledged: when, under which request id, and the numbers sent."""

    provider: str
    target_key: str
    version: int
    acknowledged_at: datetime
    request_id: str | None
    parcels: tuple[dict[str, str | None], ...] = ()

    @property
    def numbers(self) -> frozenset[str]:
        return frozenset(str(p.get("tracking_number")) for p in self.parcels if p.get("tracking_number"))


@dataclass(frozen=True, slots=True)
class GatewayCheck:
    """A reconcile finding: the gateway holds `remote` where the hub holds `hub`."""

    checked_at: datetime
    hub: tuple[str, ...]
    remote: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class GatewayFacts:
    """What one payment-gateway connection holds for the intent.

    `state` is the outbox target's state (None: never queued), `reason` its parked/dead reason,
    `acked_version` the newest version the gateway acknowledged (0: none yet), `last_receipt` the
    newest receipt, `check` an open reconcile finding.
    """

    provider: str
    state: str | None
    reason: str | None = None
    target_id: int | None = None
    last_attempt_at: datetime | None = None
    last_receipt: Receipt | None = None
    check: GatewayCheck | None = None
    acked_version: int = 0

    @property
    def accepted(self) -> bool:
        """The gateway acknowledged some version: a receipt says so or, for a target acknowledged before
        receipts were recorded (migration 0012), the outbox's `acked_version` does."""
        return self.last_receipt is not None or self.acked_version > 0


@dataclass(frozen=True, slots=True)
class IntentFacts:
    """A payment intent of one merchant: its live parcels and each gateway connection's view of it."""

    merchant_id: str
    payment_intent_id: str
    parcels: tuple[ParcelFacts, ...]
    gateways: tuple[GatewayFacts, ...] = field(default_factory=tuple)

    @property
    def numbers(self) -> frozenset[str]:
        return frozenset(p.tracking_number for p in self.parcels)

    @property
    def shipped_on(self) -> date | None:
        """The earliest ship date (or, lacking one, the day the first parcel was recorded)."""
        days = [p.ship_date or p.created_at.date() for p in self.parcels]
        return min(days) if days else None
