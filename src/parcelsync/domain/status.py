"""The unified delivery-status vocabulary every provider's codes are mapped onto."""

from __future__ import annotations

from enum import StrEnum


class DeliveryStatus(StrEnum):
    """Where a parcel is, in parcelsync's own words."""

    PENDING = "pending"
    INFO_RECEIVED = "info_received"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    FAILED_ATTEMPT = "failed_attempt"
    AVAILABLE_FOR_PICKUP = "available_for_pickup"
    DELIVERED = "delivered"
    EXCEPTION = "exception"
    EXPIRED = "expired"
    UNKNOWN = "unknown"

    @property
    def is_final(self) -> bool:
        """True when no further movement is expected."""
        return self in FINAL_STATUSES

    @classmethod
    def parse(cls, value: str | None) -> DeliveryStatus:
        """Read a stored or user-given value; anything unrecognised is `unknown`, never an error."""
        if not value:
            return cls.PENDING
        try:
            return cls(value.strip().lower())
        except ValueError:
            return cls.UNKNOWN


FINAL_STATUSES = frozenset({DeliveryStatus.DELIVERED, DeliveryStatus.EXPIRED})


class TargetState(StrEnum):
    """Where one destination target stands in the outbox."""

    PENDING = "pending"
    SYNCED = "synced"
    PARKED = "parked"
    DEAD = "dead"
    SKIPPED = "skipped"


TARGET_STATES: tuple[TargetState, ...] = tuple(TargetState)
PROBLEM_STATES: tuple[TargetState, ...] = (TargetState.PARKED, TargetState.DEAD)
"""States a person has to look at (and may replay)."""

