"""Which tracking update decides a parcel's status: the one with the newest event, whatever order they came in.

Webhooks and polls deliver a parcel's states late, twice and out of order. `decide` compares the
event time of an incoming state (its newest checkpoint, else the provider's update time) with the
event time of the stored one: an older state changes nothing but its unseen checkpoints (the
caller's job); a state at least as new sets status, substatus, last event and `delivered_at`.
Time decides, not a ranking of statuses, so a newer "returned" or "exception" still follows a
"delivered". Pure: no I/O, the caller writes what the decision says.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

DELIVERED = "delivered"


@dataclass(frozen=True, slots=True)
class StatusState:
    """A parcel's status as stored, or as one update says it; `event_at` is when it became true."""

    status: str
    substatus: str | None = None
    last_event: str | None = None
    delivered_at: datetime | None = None
    event_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class StatusDecision:
    """What to store: `state` (the stored one when the update is stale) and the transition, if any."""

    state: StatusState
    stale: bool
    transition: tuple[str, str] | None = None

    @property
    def changed_fields(self) -> dict[str, object]:
        """The shipment columns the decision sets (empty when the update is stale)."""
        if self.stale:
            return {}
        s = self.state
        return {
            "status": s.status, "substatus": s.substatus, "last_event": s.last_event,
            "delivered_at": s.delivered_at, "status_at": s.event_at,
        }


def is_newer(incoming: datetime | None, stored: datetime | None) -> bool:
    """Whether an update's event time may replace the stored one: same time or later; an update
    without a time only wins over a state that has none either."""
    if stored is None:
        return True
    return incoming is not None and incoming >= stored


def decide(stored: StatusState, incoming: StatusState) -> StatusDecision:
    """The status to keep after `incoming` arrives on a parcel whose status is `stored`."""
    if not is_newer(incoming.event_at, stored.event_at):
        return StatusDecision(stored, stale=True)
    delivered_at = None
    if incoming.status == DELIVERED:
        delivered_at = incoming.delivered_at or (stored.delivered_at if stored.status == DELIVERED else None)
        delivered_at = delivered_at or incoming.event_at
    state = StatusState(
        status=incoming.status,
        substatus=incoming.substatus,
        last_event=incoming.last_event or (stored.last_event if incoming.status == stored.status else None),
        delivered_at=delivered_at,
        event_at=incoming.event_at if incoming.event_at is not None else stored.event_at,
    )
    transition = (stored.status, incoming.status) if stored.status != incoming.status else None
    return StatusDecision(state, stale=False, transition=transition)
