"""TrackingMore `meta.code` -> the shared provider error family (one function, used for calls and items)."""

from __future__ import annotations

from collections.abc import Mapping

from parcelsync.providers.errors import (
    AuthError,
    NotFound,
    ProviderError,
    QuotaExhausted,
    RateLimited,
    Rejected,
    Retryable,
)
from parcelsync.providers.http import error_for_status

PROVIDER = "trackingmore"
OK_CODES = frozenset({200, 201, 202})
ALREADY_EXISTS = 4016
CANNOT_DETECT = 4032
DEFAULT_RATE_LIMIT_WAIT = 120.0
"""TrackingMore asks callers to pause two minutes after a 429."""

AUTH_CODES = frozenset({401, 403, 4001, 4002, 4018})
QUOTA_CODES = frozenset({402, 4019, 4021})
NOT_FOUND_CODES = frozenset({404, 4017, 4031})
REJECTED_FIELDS: Mapping[int, str | None] = {
    4012: None,
    4013: "tracking_number",
    4014: "tracking_number",
    4015: "carrier_code",
    4016: "tracking_number",
    4020: None,
    4032: "carrier_code",
    4033: "status",
}


def error_for_meta(
    code: int,
    message: str,
    *,
    http_status: int | None = None,
    retry_after: float | None = None,
) -> ProviderError:
    """The exception for a non-success meta code (or HTTP status when the body had no meta)."""
    kw: dict[str, object] = {"provider": PROVIDER, "status_code": http_status, "code": str(code)}
    message = message or f"TrackingMore error {code}"
    if code == 429 or http_status == 429:
        wait = retry_after if retry_after is not None else DEFAULT_RATE_LIMIT_WAIT
        return RateLimited(message, retry_after=wait, **kw)
    if 500 <= code < 1000 or (http_status is not None and http_status >= 500):
        return Retryable(message, **kw)  # type: ignore[arg-type]
    if code in AUTH_CODES:
        return AuthError(message, **kw)  # type: ignore[arg-type]
    if code in QUOTA_CODES:
        return QuotaExhausted(message, **kw)  # type: ignore[arg-type]
    if code in NOT_FOUND_CODES:
        return NotFound(message, **kw)  # type: ignore[arg-type]
    if code in REJECTED_FIELDS:
        return Rejected(message, field=REJECTED_FIELDS[code], **kw)  # type: ignore[arg-type]
    if code >= 1000:
        return Rejected(message, **kw)  # type: ignore[arg-type]
    return error_for_status(code, message, provider=PROVIDER, code=str(code), retry_after=retry_after)
