"""Pure mapping between parcelsync shipments and PayPal tracker payloads (no I/O).

Full-set semantics, as for UseePay: the caller hands over every live parcel of one payment and
the parcels removed from it since they were sent. PayPal keeps one tracker per (payment,
tracking number) and never overwrites a set, so a removed parcel is sent as `CANCELLED`.
`pending_lines` coalesces: a tracker whose carrier and status equal what PayPal last acknowledged
is not sent again, because PayPal refuses trackers updated too many times.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from parcelsync.domain.carriers import CarrierRegistry
from parcelsync.domain.models import Shipment
from parcelsync.providers.errors import ProviderError, Retryable
from parcelsync.providers.http import error_for_status
from parcelsync.providers.paypal.carriers import paypal_carrier
from parcelsync.providers.paypal.schemas import PROVIDER, BatchResponse, ErrorBody
from parcelsync.providers.paypal.status import TrackerStatus, TrackingApi, tracker_status

_FIELD_INDEX = re.compile(r"trackers/(\d+)")
# A per-item `errors[]` entry has no HTTP status of its own: its `name` says which one it stands for.
_ITEM_STATUS: Mapping[str, int] = {
    "RESOURCE_NOT_FOUND": 404, "UNPROCESSABLE_ENTITY": 422, "RATE_LIMIT_REACHED": 429,
    "INTERNAL_SERVER_ERROR": 500, "SERVICE_UNAVAILABLE": 503,
}


@dataclass(frozen=True, slots=True)
class TrackerLine:
    """One parcel as a PayPal tracker: number, carrier (+ name when `OTHER`), status, ship date."""

    tracking_number: str
    carrier: str
    status: TrackerStatus
    carrier_name_other: str | None = None
    shipment_date: date | None = None

    @property
    def fingerprint(self) -> str:
        """What PayPal stores of the tracker; equal fingerprints need no update."""
        return f"{self.carrier}|{self.carrier_name_other or ''}|{self.status.value}"


@dataclass(frozen=True, slots=True)
class PaymentTrackers:
    """Every tracker of one payment: a v1 transaction id, or an Orders v2 order id (+ capture id)."""

    payment_id: str
    lines: tuple[TrackerLine, ...]
    capture_id: str | None = None


@dataclass(frozen=True, slots=True)
class TrackerOutcome:
    """What became of one tracker; `debug_id` is PayPal's correlation id, kept for audit and receipts."""

    payment_id: str
    tracking_number: str
    accepted: bool
    reason: str | None = None
    error: ProviderError | None = None
    debug_id: str | None = None
    tracker_id: str | None = None
    status: TrackerStatus | None = None

    @property
    def trace_id(self) -> str | None:
        """The audit log's name for PayPal's `debug_id`."""
        return self.debug_id


def tracker_id(transaction_id: str, tracking_number: str) -> str:
    """The v1 tracker id PayPal documents: `{transaction_id}-{tracking_number}`."""
    return f"{transaction_id}-{tracking_number}"


def _line(shipment: Shipment, registry: CarrierRegistry, overrides: Mapping[str, str] | None,
          status: TrackerStatus) -> TrackerLine:
    carrier = paypal_carrier(shipment.carrier, registry, overrides)
    return TrackerLine(
        tracking_number=shipment.tracking_number.strip(),
        carrier=carrier.carrier,
        status=status,
        carrier_name_other=carrier.carrier_name_other,
        shipment_date=shipment.ship_date,
    )


def build_payment_trackers(
    payment_id: str,
    live: Iterable[Shipment],
    removed: Iterable[Shipment],
    registry: CarrierRegistry,
    *,
    api: TrackingApi = TrackingApi.ORDERS_V2,
    overrides: Mapping[str, str] | None = None,
    capture_id: str | None = None,
) -> PaymentTrackers:
    """All trackers of one payment: live parcels shipped (or delivered), removed ones cancelled.

    A number that is both live and removed (moved to another carrier, say) stays live. Numbers are
    kept once each, in first-seen order, live first.
    """
    lines: dict[str, TrackerLine] = {}
    for shipment in live:
        if shipment.tracking_number.strip():
            status = tracker_status(shipment.status, live=True, api=api)
            lines.setdefault(shipment.tracking_number.strip(), _line(shipment, registry, overrides, status))
    for shipment in removed:
        if shipment.tracking_number.strip():
            lines.setdefault(
                shipment.tracking_number.strip(), _line(shipment, registry, overrides, TrackerStatus.CANCELLED)
            )
    return PaymentTrackers(payment_id, tuple(lines.values()), capture_id)


def pending_lines(trackers: PaymentTrackers, acknowledged: Mapping[str, str]) -> PaymentTrackers:
    """Only the trackers that differ from PayPal's state (`acknowledged`: number -> fingerprint).

    A cancellation of a tracker PayPal never acknowledged is dropped: there is nothing to cancel.
    """
    lines = tuple(
        line for line in trackers.lines
        if acknowledged.get(line.tracking_number) != line.fingerprint
        and not (line.status is TrackerStatus.CANCELLED and line.tracking_number not in acknowledged)
    )
    return replace(trackers, lines=lines)


def _tracker_payload(transaction_id: str, line: TrackerLine) -> dict[str, Any]:
    body: dict[str, Any] = {
        "transaction_id": transaction_id,
        "tracking_number": line.tracking_number,
        "status": line.status.value,
        "carrier": line.carrier,
    }
    if line.carrier_name_other:
        body["carrier_name_other"] = line.carrier_name_other
    if line.shipment_date:
        body["shipment_date"] = line.shipment_date.isoformat()
    return body


def build_batch_body(items: Sequence[tuple[str, TrackerLine]]) -> dict[str, Any]:
    """`POST /v1/shipping/trackers-batch` body for (transaction id, tracker) pairs (at most 20)."""
    return {"trackers": [_tracker_payload(txn, line) for txn, line in items]}


def build_tracker_update_body(transaction_id: str, line: TrackerLine) -> dict[str, Any]:
    """`PUT /v1/shipping/trackers/{id}` body: the whole tracker with its new status."""
    return _tracker_payload(transaction_id, line)


def build_order_track_body(capture_id: str, line: TrackerLine, *, notify_payer: bool = False) -> dict[str, Any]:
    """`POST /v2/checkout/orders/{id}/track` body."""
    body: dict[str, Any] = {
        "capture_id": capture_id,
        "tracking_number": line.tracking_number,
        "carrier": line.carrier,
        "notify_payer": notify_payer,
    }
    if line.carrier_name_other:
        body["carrier_name_other"] = line.carrier_name_other
    return body


def build_cancel_patch() -> list[dict[str, Any]]:
    """`PATCH /v2/checkout/orders/{id}/trackers/{tracker_id}`: the only supported status change."""
    return [{"op": "replace", "path": "/status", "value": TrackerStatus.CANCELLED.value}]


def parse_error_body(payload: object) -> ErrorBody:
    """PayPal's error body, or an empty one when the answer is not that shape."""
    if not isinstance(payload, Mapping):
        return ErrorBody()
    try:
        return ErrorBody.model_validate(payload)
    except ValueError:
        return ErrorBody()


def error_from_body(status: int, body: ErrorBody, *, retry_after: float | None = None,
                    debug_id: str | None = None) -> ProviderError:
    """The exception an error answer amounts to; `details[0].issue` is the code and the reason."""
    message = body.why if body.details else (body.message or body.name or f"HTTP {status}")
    return error_for_status(
        status, message, provider=PROVIDER, code=body.issue or body.name, field=body.field,
        retry_after=retry_after, trace_id=body.debug_id or debug_id,
    )


def _error_index(error: ErrorBody, items: Sequence[tuple[str, str]], taken: set[int]) -> int | None:
    """Which requested item an `errors[]` entry is about: by `/trackers/{i}` in a field, else by value."""
    for detail in error.details:
        match = _FIELD_INDEX.search(detail.field or "")
        if match and int(match.group(1)) < len(items):
            return int(match.group(1))
    values = {str(d.value) for d in error.details if d.value is not None}
    for index, (txn, number) in enumerate(items):
        if index not in taken and (txn in values or number in values):
            return index
    return None


def parse_batch_response(
    payload: Mapping[str, Any], items: Sequence[tuple[str, str]], *, debug_id: str | None = None
) -> list[TrackerOutcome]:
    """One outcome per requested (transaction id, tracking number), in request order.

    An item listed in `tracker_identifiers` is accepted; an `errors[]` entry parks its item with
    `details[].issue` as the reason; an item the answer does not mention is never a success.
    """
    response = BatchResponse.model_validate(payload)
    outcomes: dict[int, TrackerOutcome] = {}
    for error in response.errors:
        index = _error_index(error, items, set(outcomes))
        if index is None or index in outcomes:
            continue
        txn, number = items[index]
        exc = error_from_body(_ITEM_STATUS.get(error.name or "", 400), error, debug_id=debug_id)
        outcomes[index] = TrackerOutcome(txn, number, False, exc.reason, exc, error.debug_id or debug_id)
    added = {(t.transaction_id, t.tracking_number or "") for t in response.tracker_identifiers}
    aligned: list[TrackerOutcome] = []
    for index, (txn, number) in enumerate(items):
        if index in outcomes:
            aligned.append(outcomes[index])
        elif (txn, number) in added:
            aligned.append(TrackerOutcome(txn, number, True, debug_id=debug_id, tracker_id=tracker_id(txn, number)))
        else:
            missing = Retryable("PayPal listed this tracker neither as added nor as an error", provider=PROVIDER)
            aligned.append(TrackerOutcome(txn, number, False, missing.reason, missing, debug_id))
    return aligned


def find_capture_id(order: Mapping[str, Any]) -> str | None:
    """The capture a tracker attaches to: the first COMPLETED capture of the order, else the first one."""
    captures = [
        capture
        for unit in order.get("purchase_units") or []
        for capture in ((unit.get("payments") or {}).get("captures") or [])
        if isinstance(capture, Mapping) and capture.get("id")
    ]
    for capture in captures:
        if capture.get("status") == "COMPLETED":
            return str(capture["id"])
    return str(captures[0]["id"]) if captures else None


def find_order_tracker(order: Mapping[str, Any], tracking_number: str, capture_id: str | None = None) -> str | None:
    """The id of the order's tracker for a tracking number (ids are `{capture_id}-{tracking_number}`)."""
    wanted = f"{capture_id}-{tracking_number}" if capture_id else None
    for unit in order.get("purchase_units") or []:
        for tracker in ((unit.get("shipping") or {}).get("trackers") or []):
            tid = str(tracker.get("id") or "")
            if tid and (tid == wanted or tid.endswith(f"-{tracking_number}")):
                return tid
    return None
