"""Where a parcel stands on the tracking page's four-step bar, as a pure function of its status."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from parcelsync.domain.status import DeliveryStatus


class Step(StrEnum):
    SHIPPED = "shipped"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"


STEPS: tuple[Step, ...] = tuple(Step)


class Marker(StrEnum):
    """Something wrong at the current step, marked on the bar."""

    EXCEPTION = "exception"
    FAILED_ATTEMPT = "failed_attempt"
    EXPIRED = "expired"


_REACHED: dict[DeliveryStatus, Step] = {
    DeliveryStatus.PENDING: Step.SHIPPED,
    DeliveryStatus.INFO_RECEIVED: Step.SHIPPED,
    DeliveryStatus.UNKNOWN: Step.SHIPPED,
    DeliveryStatus.IN_TRANSIT: Step.IN_TRANSIT,
    DeliveryStatus.EXCEPTION: Step.IN_TRANSIT,
    DeliveryStatus.EXPIRED: Step.IN_TRANSIT,
    DeliveryStatus.OUT_FOR_DELIVERY: Step.OUT_FOR_DELIVERY,
    DeliveryStatus.FAILED_ATTEMPT: Step.OUT_FOR_DELIVERY,
    DeliveryStatus.AVAILABLE_FOR_PICKUP: Step.OUT_FOR_DELIVERY,
    DeliveryStatus.DELIVERED: Step.DELIVERED,
}
_MARKERS: dict[DeliveryStatus, Marker] = {
    DeliveryStatus.EXCEPTION: Marker.EXCEPTION,
    DeliveryStatus.FAILED_ATTEMPT: Marker.FAILED_ATTEMPT,
    DeliveryStatus.EXPIRED: Marker.EXPIRED,
}
# Checkpoints with these statuses are highlighted in the timeline even after the parcel moved on.
PROBLEM_STATUSES = frozenset({DeliveryStatus.EXCEPTION, DeliveryStatus.FAILED_ATTEMPT, DeliveryStatus.EXPIRED})


@dataclass(frozen=True, slots=True)
class Progress:
    """The step reached (index into STEPS) and the marker on it, if something went wrong there."""

    step: Step
    marker: Marker | None = None

    @property
    def index(self) -> int:
        return STEPS.index(self.step)

    def state_of(self, step: Step) -> str:
        """ "done", "current", "problem" (current with a marker) or "todo", for one step of the bar."""
        position = STEPS.index(step)
        if position < self.index or (position == self.index and step is Step.DELIVERED):
            return "done"
        if position == self.index:
            return "problem" if self.marker else "current"
        return "todo"


def progress_of(status: DeliveryStatus) -> Progress:
    return Progress(_REACHED.get(status, Step.SHIPPED), _MARKERS.get(status))
