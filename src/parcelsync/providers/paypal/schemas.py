"""Typed PayPal bodies: OAuth token, error body, trackers-batch answer, order trackers."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

PROVIDER = "paypal"
LIVE_BASE_URL = "https://api-m.paypal.com"
SANDBOX_BASE_URL = "https://api-m.sandbox.paypal.com"
TOKEN_PATH = "/v1/oauth2/token"
BATCH_PATH = "/v1/shipping/trackers-batch"
TRACKERS_PATH = "/v1/shipping/trackers"
ORDERS_PATH = "/v2/checkout/orders"
TRACKING_SCOPE = "https://uri.paypal.com/services/shipping/trackers/readwrite"
MAX_TRACKERS_PER_BATCH = 20
TRACKING_NUMBER_MAX = 64  # v1 `tracker` schema: tracking_number maxLength 64.
CAPTURE_ID_MAX = 50
REQUEST_ID_HEADER = "PayPal-Request-Id"
DEBUG_ID_HEADER = "Paypal-Debug-Id"


class ErrorDetail(BaseModel):
    model_config = ConfigDict(extra="ignore")

    field: str | None = None
    value: Any = None
    location: str | None = None
    issue: str | None = None
    description: str | None = None


class ErrorBody(BaseModel):
    """`{name, message, debug_id, details[], links[]}` (also the per-item `errors[]` of a batch)."""

    model_config = ConfigDict(extra="ignore")

    name: str | None = None
    message: str | None = None
    debug_id: str | None = None
    details: list[ErrorDetail] = Field(default_factory=list)

    @property
    def issue(self) -> str | None:
        return self.details[0].issue if self.details else None

    @property
    def field(self) -> str | None:
        return self.details[0].field if self.details else None

    @property
    def why(self) -> str:
        """The parked reason: the first detail's issue and description, else name and message."""
        if self.details:
            d = self.details[0]
            return " ".join(p for p in (d.issue, "-", d.description) if p) if d.description else (d.issue or "")
        return self.message or self.name or "rejected by PayPal without a reason"


class TokenResponse(BaseModel):
    model_config = ConfigDict(extra="ignore")

    access_token: str
    token_type: str = "Bearer"
    expires_in: float = Field(gt=0)
    scope: str | None = None
    app_id: str | None = None
    nonce: str | None = None


class TrackerIdentifier(BaseModel):
    model_config = ConfigDict(extra="ignore")

    transaction_id: str
    tracking_number: str | None = None


class BatchResponse(BaseModel):
    """`POST /v1/shipping/trackers-batch` answer: the added trackers and one error per refused one."""

    model_config = ConfigDict(extra="ignore")

    tracker_identifiers: list[TrackerIdentifier] = Field(default_factory=list)
    errors: list[ErrorBody] = Field(default_factory=list)
