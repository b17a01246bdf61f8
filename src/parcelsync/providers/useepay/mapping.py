"""Pure mapping between parcelsync shipments and UseePay tracker payloads (no I/O)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from parcelsync.domain.carriers import CarrierRegistry
from parcelsync.domain.models import Shipment
from parcelsync.domain.provider import Provider
from parcelsync.providers.errors import ProviderError, Rejected, Retryable
from parcelsync.providers.useepay.carriers import FALLBACK
from parcelsync.providers.useepay.schemas import ShipmentPayload, UploadResponse

PROVIDER = Provider.USEEPAY.value


@dataclass(frozen=True, slots=True)
class ShipmentLine:
    """One parcel as UseePay's `shipments[]` entry carries it."""

    carrier: str
    tracking_number: str
    tracking_url: str | None = None


@dataclass(frozen=True, slots=True)
class TrackerInput:
    """The full set of parcels of one payment intent (UseePay replaces, so always send all)."""

    payment_intent_id: str
    shipments: tuple[ShipmentLine, ...]


@dataclass(frozen=True, slots=True)
class TrackerOutcome:
    """What became of one payment intent's upload."""

    payment_intent_id: str
    accepted: bool
    reason: str | None = None
    error: ProviderError | None = None


def build_trackers(shipments: Iterable[Shipment], registry: CarrierRegistry) -> list[TrackerInput]:
    """Group shipments into one tracker per payment intent, first-seen order; skip those without one."""
    grouped: dict[str, dict[tuple[str, str], ShipmentLine]] = {}
    for shipment in shipments:
        intent = (shipment.payment_intent_id or "").strip()
        number = shipment.tracking_number.strip()
        if not intent or not number:
            continue
        carrier = registry.code_for(Provider.USEEPAY, shipment.carrier or "") or FALLBACK
        url = shipment.tracking_url or registry.tracking_url(shipment.carrier or "", number)
        lines = grouped.setdefault(intent, {})
        lines.setdefault((carrier, number), ShipmentLine(carrier, number, url or None))
    return [TrackerInput(intent, tuple(lines.values())) for intent, lines in grouped.items()]


def build_upload_body(trackers: Iterable[TrackerInput], meta_data: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The `POST /api/v2/shipping/trackers` JSON body; `meta_data` and absent URLs are omitted."""
    body: dict[str, Any] = {}
    if meta_data is not None:
        body["meta_data"] = dict(meta_data)
    body["trackers"] = [
        {
            "payment_intent_id": t.payment_intent_id,
            "shipments": [
                ShipmentPayload(carrier=s.carrier, tracking_number=s.tracking_number, tracking_url=s.tracking_url)
                .model_dump(exclude_none=True)
                for s in t.shipments
            ],
        }
        for t in trackers
    ]
    return body


def parse_upload_response(body: Mapping[str, Any]) -> list[TrackerOutcome]:
    """Outcomes listed in `data.accepted` and `data.rejected` (a rejection wins over an acceptance)."""
    response = UploadResponse.model_validate(body)
    data = response.data
    if data is None:
        return []
    outcomes: dict[str, TrackerOutcome] = {}
    for accepted in data.accepted:
        if accepted.payment_intent_id:
            outcomes.setdefault(accepted.payment_intent_id, TrackerOutcome(accepted.payment_intent_id, True))
    for rejected in data.rejected:
        if not rejected.payment_intent_id:
            continue
        error = Rejected(rejected.why, provider=PROVIDER, code=rejected.code, field=rejected.source)
        outcomes[rejected.payment_intent_id] = TrackerOutcome(
            rejected.payment_intent_id, False, reason=error.reason, error=error
        )
    return list(outcomes.values())


def align_outcomes(intents: Iterable[str], outcomes: Iterable[TrackerOutcome]) -> list[TrackerOutcome]:
    """One outcome per requested intent, in request order; an intent the answer omits is not accepted."""
    by_intent = {o.payment_intent_id: o for o in outcomes}
    aligned: list[TrackerOutcome] = []
    for intent in intents:
        outcome = by_intent.get(intent)
        if outcome is None:
            error = Retryable(
                "UseePay listed this payment intent neither as accepted nor as rejected", provider=PROVIDER
            )
            outcome = TrackerOutcome(intent, False, reason=error.reason, error=error)
        aligned.append(outcome)
    return aligned
