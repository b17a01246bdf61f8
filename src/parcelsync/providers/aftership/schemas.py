"""AfterShip constants: version, header, per-endpoint rate limits, meta codes, the envelope."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

PROVIDER = "aftership"
API_VERSION = "2026-07"
LIVE_BASE_URL = f"https://api.aftership.com/tracking/{API_VERSION}"
API_KEY_HEADER = "as-api-key"
SIGNATURE_HEADER = "aftership-hmac-sha256"
MAX_LIST_LIMIT = 200  # Unconfirmed for 2026-07: the list page size AfterShip documents for cursors.


class Endpoint(StrEnum):
    """The endpoints parcelsync calls; each has its own rate limit."""

    CREATE = "create"
    LIST = "list"
    GET = "get"
    UPDATE = "update"
    DELETE = "delete"
    RETRACK = "retrack"
    MARK_COMPLETED = "mark_completed"
    DETECT = "detect"
    COURIERS = "couriers"


RATE_LIMITS: Mapping[Endpoint, float] = {
    Endpoint.CREATE: 20, Endpoint.LIST: 6, Endpoint.GET: 5, Endpoint.UPDATE: 5, Endpoint.DELETE: 5,
    Endpoint.RETRACK: 5, Endpoint.MARK_COMPLETED: 5, Endpoint.DETECT: 3, Endpoint.COURIERS: 5,
}

OK_CODES = frozenset({200, 201})
ALREADY_EXISTS = 4003
DOES_NOT_EXIST = 4004
INVALID_TRACKING_NUMBER = 4005
INVALID_SLUG = 4010
CANNOT_DETECT = 4012
RETRACK_NOT_ALLOWED = frozenset({4013, 4016})


class Meta(BaseModel):
    model_config = ConfigDict(extra="ignore")

    code: int
    message: str | None = None
    type: str | None = None


class Envelope(BaseModel):
    """`{meta: {code, message, type}, data}`."""

    model_config = ConfigDict(extra="ignore")

    meta: Meta
    data: Any = Field(default=None)
