"""TrackingMore v2 status + substatus -> parcelsync's unified `DeliveryStatus`.

`notfound` maps to `pending`: TrackingMore says the carrier has no scan for the number yet,
which is what parcelsync's `pending` means; `info_received` is kept for carriers that report
an electronic pre-advice (TrackingMore folds that into `transit001` / `notfound001`).
"""

from __future__ import annotations

from collections.abc import Mapping

from parcelsync.domain.status import DeliveryStatus

STATUSES: Mapping[str, DeliveryStatus] = {
    "pending": DeliveryStatus.PENDING,
    "notfound": DeliveryStatus.PENDING,
    "transit": DeliveryStatus.IN_TRANSIT,
    "pickup": DeliveryStatus.OUT_FOR_DELIVERY,
    "delivered": DeliveryStatus.DELIVERED,
    "undelivered": DeliveryStatus.FAILED_ATTEMPT,
    "exception": DeliveryStatus.EXCEPTION,
    "expired": DeliveryStatus.EXPIRED,
}

SUBSTATUSES: Mapping[str, DeliveryStatus] = {
    "pickup002": DeliveryStatus.AVAILABLE_FOR_PICKUP,
    "pickup003": DeliveryStatus.AVAILABLE_FOR_PICKUP,
}

SUBSTATUS_DESCRIPTIONS: Mapping[str, str] = {
    "notfound001": "The shipment is pending",
    "notfound002": "No tracking information found",
    "transit001": "Shipment on the way",
    "transit002": "Shipment arrived at a hub or sorting center",
    "transit003": "Arrived at delivery facility",
    "transit004": "Arrived at destination country",
    "transit005": "Customs clearance completed",
    "pickup001": "Out for delivery",
    "pickup002": "Ready for collection",
    "pickup003": "Customer to contact carrier",
    "undelivered001": "Address-related issues",
    "undelivered002": "Receiver not home",
    "undelivered003": "Unable to locate receiver",
    "undelivered004": "Undelivered due to other reasons",
    "delivered001": "Package delivered successfully",
    "delivered002": "Package picked up by the addressee",
    "delivered003": "Package received and signed by addressee",
    "delivered004": "Package was left at the front door or left with your neighbour",
    "exception004": "The package is unclaimed",
    "exception005": "Other exceptions",
    "exception006": "Package was detained by customs",
    "exception007": "Package was lost or damaged during delivery",
    "exception008": "Logistics order was cancelled before courier pick up the package",
    "exception009": "Package was refused by addressee",
    "exception010": "Package has been returned to sender",
    "exception011": "Package is being sent to sender",
}

NUMERIC_STATUSES: Mapping[str, str] = {"4": "delivered", "7": "exception"}
"""The PUT/updatemore status values echoed back as text ("8", back to the original, says nothing)."""


def normalise_status(raw: object) -> str:
    """The textual TrackingMore status for a raw value (text, or the numeric form some answers echo)."""
    text = str(raw).strip().lower() if raw is not None else ""
    return NUMERIC_STATUSES.get(text, text)


def map_status(status: object, substatus: str | None = None) -> DeliveryStatus:
    """Unified status for a TrackingMore status and optional substatus; anything unrecognised is `unknown`."""
    if substatus:
        refined = SUBSTATUSES.get(substatus.strip().lower())
        if refined is not None:
            return refined
    text = normalise_status(status)
    if not text:
        return DeliveryStatus.PENDING
    return STATUSES.get(text, DeliveryStatus.UNKNOWN)
