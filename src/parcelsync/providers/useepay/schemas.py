"""Typed UseePay Open API v2 bodies for the trackers endpoints (seed: useepay-upload-trackers.txt)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

SUCCESS_CODE = "0000"
SUCCESS_MESSAGE = "Approved or completed successfully"
MAX_TRACKERS_PER_CALL = 20


class ShipmentPayload(BaseModel):
    """One parcel of a tracker: `{carrier, tracking_number, tracking_url}`."""

    model_config = ConfigDict(extra="ignore")

    carrier: str
    tracking_number: str
    tracking_url: str | None = None


class TrackerPayload(BaseModel):
    """All parcels of one payment intent; a repeat upload replaces the stored set."""

    model_config = ConfigDict(extra="ignore")

    payment_intent_id: str
    shipments: list[ShipmentPayload]


class UploadRequest(BaseModel):
    """`POST /api/v2/shipping/trackers` body: at most 20 trackers, `meta_data` echoed back."""

    meta_data: dict[str, Any] | None = None
    trackers: list[TrackerPayload] = Field(min_length=1, max_length=MAX_TRACKERS_PER_CALL)


class RejectedTracker(BaseModel):
    """A rejected tracker: the tracker echoed plus why.

    Unconfirmed: the seed only shows an empty `rejected` list. parcelsync's sandbox answers
    `{payment_intent_id, shipments, code, source, reason}` (code/source as in the v2 error body);
    `message` is read as a fallback for `reason` in case the real API names it so.
    """

    model_config = ConfigDict(extra="ignore")

    payment_intent_id: str | None = None
    shipments: list[dict[str, Any]] | None = None
    reason: str | None = None
    message: str | None = None
    code: str | None = None
    source: str | None = None

    @property
    def why(self) -> str:
        return self.reason or self.message or "rejected by UseePay without a reason"


class AcceptedTracker(BaseModel):
    """An accepted tracker as echoed in `data.accepted`."""

    model_config = ConfigDict(extra="ignore")

    payment_intent_id: str | None = None
    shipments: list[ShipmentPayload] = Field(default_factory=list)


class UploadData(BaseModel):
    accepted: list[AcceptedTracker] = Field(default_factory=list)
    rejected: list[RejectedTracker] = Field(default_factory=list)


class Envelope(BaseModel):
    """The fields every v2 answer carries: `{code, message, merchant_no, app_id}`."""

    model_config = ConfigDict(extra="ignore")

    code: str
    message: str | None = None
    merchant_no: str | None = None
    app_id: str | None = None


class UploadResponse(Envelope):
    """`{code: "0000", message, data: {accepted, rejected}, merchant_no, app_id, meta_data}`."""

    data: UploadData | None = None
    meta_data: dict[str, Any] | None = None


class Tracker(BaseModel):
    """A stored tracker as "Retrieve a tracker" returns it (shape unconfirmed: mirrors the upload entry)."""

    model_config = ConfigDict(extra="ignore")

    payment_intent_id: str
    shipments: list[ShipmentPayload] = Field(default_factory=list)
    created_at: datetime | None = None
    updated_at: datetime | None = None


class TrackerResponse(Envelope):
    data: Tracker | None = None


class ErrorBody(BaseModel):
    """The v2 error body: `{code, source, message}`; `source` names the offending parameter."""

    model_config = ConfigDict(extra="ignore")

    code: str | None = None
    source: str | None = None
    message: str | None = None
