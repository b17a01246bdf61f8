"""UseePay Open API v2 trackers client: the only place that talks HTTP to UseePay."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ValidationError

from parcelsync.providers.errors import (
    NotFound,
    ProviderError,
    Rejected,
    Retryable,
    redact,
    redact_headers,
)
from parcelsync.providers.http import error_for_status, parse_retry_after, send
from parcelsync.providers.useepay.mapping import (
    PROVIDER,
    TrackerInput,
    TrackerOutcome,
    align_outcomes,
    build_upload_body,
    parse_upload_response,
)
from parcelsync.providers.useepay.schemas import (
    MAX_TRACKERS_PER_CALL,
    SUCCESS_CODE,
    ErrorBody,
    Tracker,
    TrackerResponse,
    UploadResponse,
)

TRACKERS_PATH = "/api/v2/shipping/trackers"
M = TypeVar("M", bound=BaseModel)

# v2 error codes (providers.md) that say something other than "this request is wrong".
_CODE_ERRORS: Mapping[str, type[ProviderError]] = {
    "resource_not_found": NotFound,
    "service_unavailable": Retryable,
}


@dataclass(frozen=True, slots=True)
class UploadResult:
    """One upload call: an outcome per requested intent, the HTTP status and a redacted audit summary."""

    outcomes: list[TrackerOutcome]
    status_code: int | None
    summary: dict[str, Any] = field(default_factory=dict)


def _deadline(timeout: httpx.Timeout) -> float | None:
    """A bound on the whole call: in-process (ASGI) transports do not enforce httpx's per-phase timeouts."""
    parts = [t for t in (timeout.connect, timeout.write, timeout.read, timeout.pool) if t is not None]
    return sum(parts) if parts else None


class UseePayClient:
    """Uploads and retrieves UseePay trackers for one merchant connection."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        base_url: str,
        merchant_no: str,
        app_id: str,
        api_key: str,
        api_version: str = "2024-08",
    ) -> None:
        self._http = http
        self.base_url = base_url.rstrip("/")
        self.merchant_no = merchant_no
        self.app_id = app_id
        self._api_key = api_key
        self.api_version = api_version
        self._deadline = _deadline(http.timeout)

    def __repr__(self) -> str:
        return f"UseePayClient(base_url={self.base_url!r}, merchant_no={self.merchant_no!r}, app_id={self.app_id!r})"

    def _headers(self) -> dict[str, str]:
        # The seed's curl also sends `Authorization: <api-key>`; the public samples do not. Sending both
        # follows the seed and costs nothing where the header is ignored.
        return {
            "x-merchant-no": self.merchant_no,
            "x-app-id": self.app_id,
            "x-api-key": self._api_key,
            "x-api-version": self.api_version,
            "Authorization": self._api_key,
            "Content-Type": "application/json",
            "Accept": "application/json",
        }

    def _clean(self, text: str) -> str:
        return redact(text, [self._api_key])

    async def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        request = self._http.build_request(method, self.base_url + path, headers=self._headers(), json=body)
        try:
            async with asyncio.timeout(self._deadline):
                return await send(self._http, request, provider=PROVIDER)
        except TimeoutError:
            raise Retryable("timeout: no answer within the client deadline", provider=PROVIDER) from None

    def _success_payload(self, response: httpx.Response) -> dict[str, Any]:
        """The JSON body of a successful answer, or the exception the answer amounts to."""
        status = response.status_code
        try:
            # Redact the raw text first, so nothing the server echoes can carry the key any further.
            payload = json.loads(self._clean(response.text))
        except ValueError:
            payload = None
        if not 200 <= status < 300:
            body = self._error_body(payload)
            raise error_for_status(
                status,
                body.message or f"HTTP {status}",
                provider=PROVIDER,
                code=body.code,
                field=body.source,
                retry_after=parse_retry_after(response.headers.get("Retry-After")),
            )
        if not isinstance(payload, dict) or not isinstance(payload.get("code"), str):
            raise Retryable("malformed JSON in UseePay's answer", provider=PROVIDER, status_code=status)
        if payload["code"] != SUCCESS_CODE:
            body = self._error_body(payload)
            kind = _CODE_ERRORS.get(payload["code"], Rejected)
            message = body.message or f"UseePay answered code {payload['code']}"
            raise kind(message, provider=PROVIDER, status_code=status, code=body.code, field=body.source)
        return payload

    @staticmethod
    def _error_body(payload: object) -> ErrorBody:
        try:
            return ErrorBody.model_validate(payload) if isinstance(payload, dict) else ErrorBody()
        except ValidationError:
            return ErrorBody()

    @staticmethod
    def _parse(model: type[M], payload: dict[str, Any], status: int) -> M:
        try:
            return model.model_validate(payload)
        except ValidationError:
            raise Retryable("UseePay's answer does not match the documented shape",
                            provider=PROVIDER, status_code=status) from None

    async def upload_batch(
        self, trackers: Sequence[TrackerInput], meta_data: Mapping[str, Any] | None = None
    ) -> UploadResult:
        """One `POST /api/v2/shipping/trackers` for at most 20 trackers; call-level failures raise."""
        _check_unique(trackers)
        if len(trackers) > MAX_TRACKERS_PER_CALL:
            raise ValueError(f"UseePay accepts at most {MAX_TRACKERS_PER_CALL} trackers a call, got {len(trackers)}")
        if not trackers:
            return UploadResult([], None, {})
        body = build_upload_body(trackers, meta_data)
        response = await self._call("POST", TRACKERS_PATH, body)
        payload = self._success_payload(response)
        parsed = self._parse(UploadResponse, payload, response.status_code)
        intents = [t.payment_intent_id for t in trackers]
        outcomes = align_outcomes(intents, parse_upload_response(payload))
        return UploadResult(outcomes, response.status_code, self._summary(response, body, parsed))

    async def upload_trackers(
        self, trackers: Sequence[TrackerInput], meta_data: Mapping[str, Any] | None = None
    ) -> list[TrackerOutcome]:
        """Upload any number of trackers in calls of 20; a failed call fails only its own intents."""
        _check_unique(trackers)
        outcomes: list[TrackerOutcome] = []
        for start in range(0, len(trackers), MAX_TRACKERS_PER_CALL):
            chunk = trackers[start : start + MAX_TRACKERS_PER_CALL]
            try:
                result = await self.upload_batch(chunk, meta_data)
            except ProviderError as exc:
                outcomes.extend(TrackerOutcome(t.payment_intent_id, False, exc.reason, exc) for t in chunk)
            else:
                outcomes.extend(result.outcomes)
        return outcomes

    async def retrieve_tracker(self, payment_intent_id: str) -> Tracker:
        """The stored tracker of a payment intent; `NotFound` when UseePay has none."""
        if not payment_intent_id:
            raise ValueError("payment_intent_id is required")
        # Unconfirmed path: the docs list "Retrieve a tracker" (GET) without showing it; this is the
        # upload path plus the payment intent, by symmetry with the other v2 resources.
        response = await self._call("GET", f"{TRACKERS_PATH}/{quote(payment_intent_id, safe='')}")
        payload = self._success_payload(response)
        parsed = self._parse(TrackerResponse, payload, response.status_code)
        if parsed.data is None:
            raise NotFound("UseePay has no tracker for this payment intent", provider=PROVIDER,
                           status_code=response.status_code, field="payment_intent_id")
        return parsed.data

    def _summary(self, response: httpx.Response, body: dict[str, Any], parsed: UploadResponse) -> dict[str, Any]:
        """What the audit log keeps of a call: no credentials, intents and outcomes by id."""
        data = parsed.data
        return {
            "request": {
                "method": response.request.method,
                "url": str(response.request.url),
                "headers": redact_headers(response.request.headers.items()),
                "trackers": len(body["trackers"]),
                "shipments": sum(len(t["shipments"]) for t in body["trackers"]),
                "payment_intent_ids": [t["payment_intent_id"] for t in body["trackers"]],
                "meta_data": body.get("meta_data"),
            },
            "response": {
                "status_code": response.status_code,
                "code": parsed.code,
                "message": parsed.message or "",
                "accepted": [t.payment_intent_id for t in data.accepted] if data else [],
                "rejected": [{"payment_intent_id": t.payment_intent_id, "reason": t.why}
                             for t in data.rejected] if data else [],
            },
        }


def _check_unique(trackers: Sequence[TrackerInput]) -> None:
    seen: set[str] = set()
    for tracker in trackers:
        if tracker.payment_intent_id in seen:
            raise ValueError(f"payment intent {tracker.payment_intent_id} appears twice; send its shipments once")
        seen.add(tracker.payment_intent_id)
