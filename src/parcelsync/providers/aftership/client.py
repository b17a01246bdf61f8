"""AfterShip Tracking API client (2026-07): every endpoint parcelsync uses. The only AfterShip I/O.

Every call waits for its endpoint's meter (`ratelimit.py`) and feeds the `X-RateLimit-*` headers of
the answer back. `register` treats 4003 "already exists" as success and then updates the existing
tracking, so registering is idempotent.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from parcelsync.providers.aftership.mapping import TrackingUpdate, parse_page, parse_tracking, tracking_data
from parcelsync.providers.aftership.ratelimit import AfterShipLimiter, RateLimitHeaders, limiter_for
from parcelsync.providers.aftership.schemas import (
    ALREADY_EXISTS,
    API_KEY_HEADER,
    DOES_NOT_EXIST,
    LIVE_BASE_URL,
    MAX_LIST_LIMIT,
    OK_CODES,
    PROVIDER,
    Endpoint,
)
from parcelsync.providers.errors import (
    AuthError,
    NotFound,
    ProviderError,
    RateLimited,
    Rejected,
    Retryable,
    redact,
)
from parcelsync.providers.http import parse_retry_after, send


class AlreadyExists(Rejected):
    """AfterShip already tracks this number for this courier (meta code 4003)."""

    existing: Mapping[str, Any] = {}


@dataclass(frozen=True, slots=True)
class Registration:
    """The result of `register`: the tracking as AfterShip now has it, and whether it was new."""

    tracking: TrackingUpdate
    created: bool


class AfterShipClient:
    """Async AfterShip client for one API key over an injected `httpx.AsyncClient`."""

    def __init__(self, http: httpx.AsyncClient, *, api_key: str, base_url: str = LIVE_BASE_URL,
                 limiter: AfterShipLimiter | None = None) -> None:
        self._http = http
        self.base_url = base_url.rstrip("/")
        self.__api_key = api_key
        account = hashlib.sha256(f"{self.base_url}|{api_key}".encode()).hexdigest()[:16]
        self.limiter = limiter if limiter is not None else limiter_for(account)

    def __repr__(self) -> str:
        return f"AfterShipClient(base_url={self.base_url!r})"

    async def _call(self, endpoint: Endpoint, method: str, path: str, *, body: Any = None,
                    params: Mapping[str, Any] | None = None) -> tuple[int, Any]:
        """One call: paced, the envelope checked; returns (meta.code, data) or raises the mapped error."""
        await self.limiter.acquire(endpoint)
        query = {k: v for k, v in (params or {}).items() if v is not None}
        headers = {API_KEY_HEADER: self.__api_key, "Accept": "application/json"}
        content = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            content = json.dumps(body, ensure_ascii=False).encode()
        request = self._http.build_request(method, self.base_url + path, params=query, headers=headers,
                                           content=content)
        try:
            response = await _send_bounded(self._http, request)
        except BaseException:
            self.limiter.answered(endpoint, None)
            raise
        self.limiter.answered(endpoint, response.headers)
        return self._envelope(endpoint, response)

    def _envelope(self, endpoint: Endpoint, response: httpx.Response) -> tuple[int, Any]:
        status = response.status_code
        try:
            payload = response.json()
        except ValueError:
            payload = None
        meta = payload.get("meta") if isinstance(payload, dict) else None
        code = meta.get("code") if isinstance(meta, dict) else None
        if not isinstance(code, int):
            if status < 400:
                raise Retryable("AfterShip's answer has no meta envelope", provider=PROVIDER, status_code=status)
            code = status
        message = redact(str((meta or {}).get("message") or f"HTTP {status}"), [self.__api_key])
        if status < 300 and code in OK_CODES:
            return code, payload.get("data") if isinstance(payload, dict) else None
        raise self._error(endpoint, response, code, message, payload)

    def _error(self, endpoint: Endpoint, response: httpx.Response, code: int, message: str,
               payload: Any) -> ProviderError:
        status = response.status_code
        kw: dict[str, Any] = {"provider": PROVIDER, "status_code": status, "code": str(code)}
        if status == 429 or code == 429:
            headers = RateLimitHeaders.parse(response.headers)
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if retry_after is None and headers.reset is not None:
                retry_after = max(0.0, headers.reset - self.limiter.wall())
            self.limiter.hold(endpoint, retry_after if retry_after is not None else 1.0)
            return RateLimited(message, retry_after=retry_after, **kw)
        if code == ALREADY_EXISTS:
            error = AlreadyExists(message, **kw)
            error.existing = tracking_data(payload.get("data") if isinstance(payload, dict) else None)
            return error
        if status in (401, 403):
            return AuthError(message, **kw)
        if code == DOES_NOT_EXIST or status == 404:
            return NotFound(message, **kw)
        if status >= 500 or status in (408, 425):
            return Retryable(message, **kw)
        return Rejected(message, **kw)

    @staticmethod
    def _tracking_path(tracking_id: str, suffix: str = "") -> str:
        if not tracking_id:
            raise ValueError("tracking id is required")
        return f"/trackings/{quote(tracking_id, safe='')}{suffix}"

    # -- trackings -------------------------------------------------------------------------

    async def create_tracking(self, body: Mapping[str, Any]) -> TrackingUpdate:
        """`POST /trackings`; `AlreadyExists` on 4003."""
        _, data = await self._call(Endpoint.CREATE, "POST", "/trackings", body=dict(body))
        return parse_tracking(tracking_data(data))

    async def get_tracking(self, tracking_id: str) -> TrackingUpdate:
        """`GET /trackings/{id}`."""
        _, data = await self._call(Endpoint.GET, "GET", self._tracking_path(tracking_id))
        return parse_tracking(tracking_data(data))

    async def update_tracking(self, tracking_id: str, body: Mapping[str, Any]) -> TrackingUpdate:
        """`PUT /trackings/{id}`."""
        _, data = await self._call(Endpoint.UPDATE, "PUT", self._tracking_path(tracking_id), body=dict(body))
        return parse_tracking(tracking_data(data))

    async def delete_tracking(self, tracking_id: str) -> TrackingUpdate:
        """`DELETE /trackings/{id}`; answers the deleted tracking."""
        _, data = await self._call(Endpoint.DELETE, "DELETE", self._tracking_path(tracking_id))
        return parse_tracking(tracking_data(data))

    async def retrack(self, tracking_id: str) -> TrackingUpdate:
        """`POST /trackings/{id}/retrack` (only an expired, inactive tracking; 4013/4016 otherwise)."""
        _, data = await self._call(Endpoint.RETRACK, "POST", self._tracking_path(tracking_id, "/retrack"))
        return parse_tracking(tracking_data(data))

    async def mark_as_completed(self, tracking_id: str, reason: str = "DELIVERED") -> TrackingUpdate:
        """`POST /trackings/{id}/mark-as-completed` with reason DELIVERED, LOST or RETURNED_TO_SENDER."""
        _, data = await self._call(Endpoint.MARK_COMPLETED, "POST",
                                   self._tracking_path(tracking_id, "/mark-as-completed"), body={"reason": reason})
        return parse_tracking(tracking_data(data))

    async def list_trackings(self, *, cursor: str | None = None, limit: int = 100,
                             **filters: Any) -> tuple[list[TrackingUpdate], str | None]:
        """One `GET /trackings` page (filters such as tracking_numbers, slug, tag, updated_at_min)."""
        if not 1 <= limit <= MAX_LIST_LIMIT:
            raise ValueError(f"limit must be between 1 and {MAX_LIST_LIMIT}")
        params = {"cursor": cursor, "limit": limit, **filters}
        _, data = await self._call(Endpoint.LIST, "GET", "/trackings", params=params)
        return parse_page(data)

    async def iter_trackings(self, *, limit: int = 100, **filters: Any) -> AsyncIterator[TrackingUpdate]:
        """Every tracking matching the filters, following the cursor."""
        cursor: str | None = None
        while True:
            page, cursor = await self.list_trackings(cursor=cursor, limit=limit, **filters)
            for tracking in page:
                yield tracking
            if not cursor or not page:
                return

    async def find_tracking(self, tracking_number: str, slug: str | None = None) -> TrackingUpdate | None:
        """The tracking of a number (and slug), through the list endpoint's `tracking_numbers` filter."""
        page, _ = await self.list_trackings(tracking_numbers=tracking_number, slug=slug, limit=10)
        for tracking in page:
            if tracking.tracking_number == tracking_number and (slug is None or tracking.slug == slug):
                return tracking
        return None

    async def register(self, create_body: Mapping[str, Any], update_body: Mapping[str, Any] | None = None
                       ) -> Registration:
        """Create a tracking; "already exists" (4003) is success followed by an update of the existing one."""
        try:
            return Registration(await self.create_tracking(create_body), True)
        except AlreadyExists as exc:
            tracking_id = str(exc.existing.get("id") or "")
            if not tracking_id:
                found = await self.find_tracking(str(create_body["tracking_number"]), create_body.get("slug"))
                if found is None:
                    raise Retryable("AfterShip says the tracking exists but does not list it",
                                    provider=PROVIDER, code=str(ALREADY_EXISTS)) from None
                tracking_id = found.id
            changes = dict(update_body) if update_body is not None else {
                k: v for k, v in create_body.items() if k not in ("tracking_number", "slug")}
            if not changes:
                return Registration(await self.get_tracking(tracking_id), False)
            return Registration(await self.update_tracking(tracking_id, changes), False)

    async def register_many(self, items: Sequence[tuple[Mapping[str, Any], Mapping[str, Any] | None]]
                            ) -> list[Registration | ProviderError]:
        """`register` for each item; an item's failure is its own outcome (auth failures stop the run)."""
        results: list[Registration | ProviderError] = []
        for create_body, update_body in items:
            try:
                results.append(await self.register(create_body, update_body))
            except AuthError:
                raise
            except ProviderError as exc:
                results.append(exc)
        return results

    # -- couriers --------------------------------------------------------------------------

    async def detect_courier(self, tracking_number: str, *, slug: Sequence[str] | None = None,
                             **extra: Any) -> list[dict[str, Any]]:
        """`POST /couriers/detect`: the couriers a number may belong to (4012 when none)."""
        body: dict[str, Any] = {"tracking_number": tracking_number, **extra}
        if slug:
            body["slug"] = list(slug)
        _, data = await self._call(Endpoint.DETECT, "POST", "/couriers/detect", body=body)
        return list((data or {}).get("couriers") or [])

    async def list_couriers(self) -> list[dict[str, Any]]:
        """`GET /couriers`: the couriers activated on the account."""
        _, data = await self._call(Endpoint.COURIERS, "GET", "/couriers")
        return list((data or {}).get("couriers") or [])

    async def probe(self) -> dict[str, Any]:
        """"Test connection": `GET /couriers` proves the key and reports how many couriers are active."""
        return {"ok": True, "couriers": len(await self.list_couriers())}


async def _send_bounded(http: httpx.AsyncClient, request: httpx.Request) -> httpx.Response:
    """`send` bounded by the client's whole timeout: in-process (ASGI) transports ignore httpx's
    per-phase timeouts, and a hung call must become `Retryable`, not a stuck worker."""
    parts = [t for t in (http.timeout.connect, http.timeout.read, http.timeout.write, http.timeout.pool)
             if t is not None]
    try:
        async with asyncio.timeout(sum(parts) if parts else None):
            return await send(http, request, provider=PROVIDER)
    except TimeoutError:
        raise Retryable("timeout: no answer within the client deadline", provider=PROVIDER) from None
