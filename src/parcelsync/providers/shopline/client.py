"""The SHOPLINE update_tracking client: the only I/O of this connector.

One call per fulfillment, always with the full current tracking list (see `mapping` for the
overwrite rules and what v20250601 does with several parcels). Every call first waits for the
store's leaky bucket. Errors come out as the shared family in `providers/errors.py`:

401/403 → AuthError, 402/423 → StoreBlocked, 404 → NotFound, 400/422 → Rejected,
429 → RateLimited (Retry-After honoured), 5xx / network / timeout / malformed 200 → Retryable.
The client itself never retries; the sync engine decides from the exception class.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
from pydantic import ValidationError

from parcelsync.providers.errors import ProviderError, Retryable, StoreBlocked, redact, redact_headers
from parcelsync.providers.http import error_for_status, parse_retry_after, send
from parcelsync.providers.shopline.mapping import PROVIDER, TrackingEntry, build_body, uses_tracking_list
from parcelsync.providers.shopline.ratelimit import LeakyBucket, bucket_for
from parcelsync.providers.shopline.schemas import Fulfillment, FulfillmentResponse

DEFAULT_API_VERSION = "v20260301"
CONTENT_TYPE = "application/json; charset=utf-8"
_VERSION = re.compile(r"^v\d{8}$")
_SUMMARY_BODY_CHARS = 2000


def default_base_url(handle: str) -> str:
    """The store's API host: `https://{handle}.myshopline.com`."""
    return f"https://{handle}.myshopline.com"


def update_tracking_path(api_version: str, order_id: str, fulfillment_id: str) -> str:
    """The update_tracking path (without the base URL) for an API version."""
    prefix = f"/admin/openapi/{api_version}"
    if uses_tracking_list(api_version):
        return f"{prefix}/fulfillments/{order_id}/{fulfillment_id}/update_tracking.json"
    return f"{prefix}/orders/{order_id}/fulfillments/{fulfillment_id}/update_tracking.json"


@dataclass(frozen=True, slots=True)
class UpdateTrackingResult:
    """A successful update: the fulfillment as SHOPLINE now holds it, and what to keep for support."""

    fulfillment: Fulfillment
    trace_id: str | None
    status_code: int
    summary: dict[str, Any] = field(repr=False)


def _error_message(body: Any, fallback: str) -> tuple[str, str | None]:
    """Message and offending field from an `{"errors": ...}` body (a string or an object)."""
    errors = body.get("errors") if isinstance(body, dict) else None
    if isinstance(errors, str) and errors:
        return errors, None
    if isinstance(errors, dict) and errors:
        parts = []
        for key, value in errors.items():
            text = "; ".join(map(str, value)) if isinstance(value, list) else str(value)
            parts.append(f"{key}: {text}")
        return "; ".join(parts), str(next(iter(errors)))
    if isinstance(errors, list) and errors:
        return "; ".join(map(str, errors)), None
    return fallback, None


class ShoplineClient:
    """Writes tracking onto one store's fulfillments."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        base_url: str,
        access_token: str,
        api_version: str = DEFAULT_API_VERSION,
        limiter: LeakyBucket | None = None,
    ) -> None:
        if not _VERSION.match(api_version):
            raise ValueError(f"SHOPLINE api_version must look like v20260301, got {api_version!r}")
        self._http = http
        self.base_url = base_url.rstrip("/")
        self._token = access_token
        self.api_version = api_version
        self.limiter = limiter if limiter is not None else bucket_for(self.base_url)

    def __repr__(self) -> str:
        return f"ShoplineClient(base_url={self.base_url!r}, api_version={self.api_version!r})"

    async def update_tracking(
        self,
        order_id: str,
        fulfillment_id: str,
        entries: Sequence[TrackingEntry],
        notify_customer: bool = False,
    ) -> UpdateTrackingResult:
        """Replace the fulfillment's tracking with `entries` (validated before any call)."""
        body = build_body(self.api_version, entries, notify_customer)
        url = self.base_url + update_tracking_path(self.api_version, str(order_id), str(fulfillment_id))
        content = json.dumps(body, ensure_ascii=False).encode("utf-8")
        request = self._http.build_request(
            "POST",
            url,
            content=content,
            headers={
                "Authorization": f"Bearer {self._token}",
                "Content-Type": CONTENT_TYPE,
                "Accept": "application/json",
            },
        )
        await self.limiter.acquire()
        response = await send(self._http, request, provider=PROVIDER)
        trace_id = response.headers.get("traceId")
        try:
            payload: Any = response.json()
        except ValueError:
            payload = None
        summary = self._summary(request, body, response, payload, trace_id)
        if response.status_code >= 300:
            error = self._error(response, payload, trace_id)
            error.summary = summary  # type: ignore[attr-defined]
            raise error
        if payload is None:
            raise Retryable(
                "SHOPLINE answered with a body that is not JSON", provider=PROVIDER,
                status_code=response.status_code, trace_id=trace_id,
            )
        try:
            parsed = FulfillmentResponse.model_validate(payload)
        except ValidationError:
            raise Retryable(
                "SHOPLINE answered without a valid fulfillment object", provider=PROVIDER,
                status_code=response.status_code, trace_id=trace_id,
            ) from None
        return UpdateTrackingResult(parsed.fulfillment, trace_id, response.status_code, summary)

    def _error(self, response: httpx.Response, payload: Any, trace_id: str | None) -> ProviderError:
        status = response.status_code
        fallback = f"HTTP {status}: {response.text[:200]}" if payload is None else f"HTTP {status}"
        message, field_name = _error_message(payload, fallback)
        message = redact(message, [self._token])
        if status in (402, 423):
            what = "frozen" if status == 402 else "locked"
            return StoreBlocked(
                f"store {what}: {message}", provider=PROVIDER, status_code=status, field=field_name, trace_id=trace_id
            )
        retry_after = parse_retry_after(response.headers.get("Retry-After")) if status == 429 else None
        return error_for_status(
            status, message, provider=PROVIDER, field=field_name, retry_after=retry_after, trace_id=trace_id
        )

    def _summary(
        self, request: httpx.Request, body: dict[str, Any], response: httpx.Response, payload: Any, trace_id: str | None
    ) -> dict[str, Any]:
        """What the audit log keeps of one call, credentials masked."""
        response_body: Any = payload if payload is not None else response.text[:_SUMMARY_BODY_CHARS]
        return {
            "provider": PROVIDER,
            "method": request.method,
            "url": str(request.url),
            "api_version": self.api_version,
            "request_headers": redact_headers(request.headers.items()),
            "request_body": body,
            "status_code": response.status_code,
            "trace_id": trace_id,
            "response_body": json.loads(redact(json.dumps(response_body, ensure_ascii=False), [self._token])),
        }
