"""TrackingMore API v2 client: every trackings endpoint, plus carriers list and detect.

The only I/O of the connector. `meta.code` is always checked (errors can arrive with HTTP 200);
batch and bulk calls return per-item outcomes; list and realtime calls are rate limited on
the client side as TrackingMore documents (1/s and 3/s; 0 turns a limiter off).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import AsyncExitStack
from datetime import datetime
from typing import Any

import httpx
from aiolimiter import AsyncLimiter
from pydantic import ValidationError

from parcelsync.providers.errors import Rejected, Retryable, redact, redact_headers
from parcelsync.providers.http import parse_retry_after, send
from parcelsync.providers.trackingmore.mapping import TrackingRegistration, TrackingUpdate, parse_tracking
from parcelsync.providers.trackingmore.meta import (
    ALREADY_EXISTS,
    CANNOT_DETECT,
    OK_CODES,
    PROVIDER,
    error_for_meta,
)
from parcelsync.providers.trackingmore.outcomes import BatchItemOutcome, BatchResult, TrackingPage, match_outcomes
from parcelsync.providers.trackingmore.schemas import (
    MAX_BATCH,
    MAX_LIST_LIMIT,
    ChangeCarrierRequest,
    CosttimeRequest,
    ListTrackingsData,
    RealtimeRequest,
    RemoteRequest,
    TrackingKey,
    UpdateManyItem,
    UpdateTrackingRequest,
)

__all__ = ["BatchItemOutcome", "BatchResult", "TrackingMoreClient", "TrackingPage"]

API_KEY_HEADER = "Trackingmore-Api-Key"
TimeFilter = datetime | int | float | None


def _unix(value: TimeFilter) -> int | None:
    if value is None:
        return None
    return int(value.timestamp()) if isinstance(value, datetime) else int(value)


def _validation_error(exc: ValidationError) -> Rejected:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ()))
    return Rejected(f"invalid request: {first.get('msg', 'bad value')}", provider=PROVIDER, field=where or None)


def _keys(items: Iterable[Mapping[str, Any] | tuple[str, str]]) -> list[dict[str, Any]]:
    """Bulk items as dicts; (carrier_code, tracking_number) tuples are accepted too."""
    out: list[dict[str, Any]] = []
    for item in items:
        if isinstance(item, tuple):
            out.append({"carrier_code": item[0], "tracking_number": item[1]})
        else:
            out.append(dict(item))
    return out


class TrackingMoreClient:
    """Async TrackingMore v2 client over an injected `httpx.AsyncClient`."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        base_url: str = "https://api.trackingmore.com/v2",
        api_key: str,
        list_rate_per_s: float = 1.0,
        realtime_rate_per_s: float = 3.0,
    ) -> None:
        self._http = http
        self.base_url = base_url.rstrip("/")
        self.__api_key = api_key
        self._list_limiter = AsyncLimiter(list_rate_per_s, 1.0) if list_rate_per_s > 0 else None
        self._realtime_limiter = AsyncLimiter(realtime_rate_per_s, 1.0) if realtime_rate_per_s > 0 else None

    def __repr__(self) -> str:
        return f"TrackingMoreClient(base_url={self.base_url!r})"

    # -- transport -------------------------------------------------------------------------

    def _headers(self) -> dict[str, str]:
        return {API_KEY_HEADER: self.__api_key, "Content-Type": "application/json", "Accept": "application/json"}

    def _redact(self, text: str) -> str:
        return redact(text, [self.__api_key])

    async def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        limiter: AsyncLimiter | None = None,
    ) -> httpx.Response:
        query = {k: v for k, v in (params or {}).items() if v is not None}
        content = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
        request = self._http.build_request(
            method, f"{self.base_url}{path}", params=query, content=content, headers=self._headers()
        )
        async with AsyncExitStack() as stack:
            if limiter is not None:
                await stack.enter_async_context(limiter)
            return await send(self._http, request, provider=PROVIDER)

    def _envelope(self, response: httpx.Response, accept: Iterable[int] = ()) -> dict[str, Any]:
        """The decoded envelope; raises the mapped error unless meta.code is ok or accepted."""
        status = response.status_code
        retry_after = parse_retry_after(response.headers.get("Retry-After"))
        try:
            envelope = response.json()
        except ValueError:
            if status >= 400:
                raise error_for_meta(status, f"HTTP {status}", http_status=status, retry_after=retry_after) from None
            raise Retryable("malformed JSON in response", provider=PROVIDER, status_code=status) from None
        body: dict[str, Any] = envelope if isinstance(envelope, dict) else {}
        meta = body.get("meta")
        if not isinstance(meta, dict) or "code" not in meta:
            if status >= 400:
                raise error_for_meta(status, f"HTTP {status}", http_status=status, retry_after=retry_after)
            raise Retryable("response without a meta envelope", provider=PROVIDER, status_code=status)
        try:
            code = int(meta["code"])
        except (TypeError, ValueError):
            raise Retryable("response with a malformed meta code", provider=PROVIDER, status_code=status) from None
        message = self._redact(str(meta.get("message") or ""))
        if status >= 500 or status == 429 or (code not in OK_CODES and code not in set(accept)):
            raise error_for_meta(code, message, http_status=status, retry_after=retry_after)
        return body

    async def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        limiter: AsyncLimiter | None = None,
        accept: Iterable[int] = (),
    ) -> dict[str, Any]:
        response = await self._send(method, path, params=params, body=body, limiter=limiter)
        return self._envelope(response, accept)

    # -- single trackings ----------------------------------------------------------------

    async def create_tracking(self, reg: TrackingRegistration) -> BatchItemOutcome:
        """POST /trackings/post; 4016 (already exists) is a success with `already_exists=True`."""
        envelope = await self._call("POST", "/trackings/post", body=reg.payload(), accept=(ALREADY_EXISTS,))
        exists = int(envelope["meta"]["code"]) == ALREADY_EXISTS
        data = envelope.get("data")
        return BatchItemOutcome(
            reg.tracking_number, reg.carrier_code, ok=True, already_exists=exists,
            tracking=data if isinstance(data, dict) and data else None,
        )

    async def get_tracking_raw(self, carrier_code: str, number: str, lang: str | None = None) -> dict[str, Any]:
        """GET /trackings/{carrier_code}/{tracking_number}[/{lang}] as the raw tracking object."""
        path = f"/trackings/{carrier_code}/{number}" + (f"/{lang}" if lang else "")
        data = (await self._call("GET", path)).get("data")
        if isinstance(data, dict) and isinstance(data.get("items"), list):
            data = data["items"][0] if data["items"] else None
        if not isinstance(data, dict) or not data:
            raise error_for_meta(4031, "tracking has no result yet", http_status=200)
        return data

    async def get_tracking(self, carrier_code: str, number: str, lang: str | None = None) -> TrackingUpdate:
        """GET one tracking, parsed (the raw object is kept on `TrackingUpdate.raw`)."""
        return parse_tracking(await self.get_tracking_raw(carrier_code, number, lang))

    async def update_tracking(self, carrier_code: str, number: str, **fields: Any) -> dict[str, Any]:
        """PUT /trackings/{carrier_code}/{tracking_number}; `status` may only be 4, 7 or 8."""
        try:
            body = UpdateTrackingRequest(**fields).payload()
        except ValidationError as exc:
            raise _validation_error(exc) from None
        data = (await self._call("PUT", f"/trackings/{carrier_code}/{number}", body=body)).get("data")
        return data if isinstance(data, dict) else {}

    async def delete_tracking(self, carrier_code: str, number: str) -> None:
        """DELETE /trackings/{carrier_code}/{tracking_number}."""
        await self._call("DELETE", f"/trackings/{carrier_code}/{number}")

    async def realtime(self, carrier_code: str, number: str, **extra: Any) -> TrackingUpdate:
        """POST /trackings/realtime (3 requests/s): the carrier's latest result for one number."""
        try:
            body = RealtimeRequest(carrier_code=carrier_code, tracking_number=number, **extra).payload()
        except ValidationError as exc:
            raise _validation_error(exc) from None
        data = (await self._call("POST", "/trackings/realtime", body=body, limiter=self._realtime_limiter)).get("data")
        if isinstance(data, dict) and isinstance(data.get("items"), list):
            data = data["items"][0] if data["items"] else None
        if not isinstance(data, dict) or not data:
            raise error_for_meta(4031, "realtime tracking returned no result", http_status=200)
        return parse_tracking(data)

    async def change_carrier(self, carrier_code: str, number: str, update_carrier_code: str) -> dict[str, Any]:
        """POST /trackings/update: move a tracking to another carrier code."""
        body = ChangeCarrierRequest(
            tracking_number=number, carrier_code=carrier_code, update_carrier_code=update_carrier_code
        ).payload()
        data = (await self._call("POST", "/trackings/update", body=body)).get("data")
        return data if isinstance(data, dict) else {}

    # -- batch and bulk ----------------------------------------------------------------------

    async def create_batch_call(self, regs: Sequence[TrackingRegistration]) -> BatchResult:
        """ONE POST /trackings/batch call (≤ 40 items); raises on a call-level failure."""
        if not regs:
            raise ValueError("a batch needs at least one registration")
        if len(regs) > MAX_BATCH:
            raise ValueError(f"a batch holds at most {MAX_BATCH} registrations")
        body = [reg.payload() for reg in regs]
        response = await self._send("POST", "/trackings/batch", body=body)
        envelope = self._envelope(response, accept=(ALREADY_EXISTS,))
        outcomes = match_outcomes(body, envelope.get("data"), registering=True, redact=self._redact)
        return BatchResult(tuple(outcomes), response.status_code, self._summary(response, body, envelope, outcomes))

    def _summary(
        self, response: httpx.Response, body: Sequence[Mapping[str, Any]], envelope: Mapping[str, Any],
        outcomes: Sequence[BatchItemOutcome],
    ) -> dict[str, Any]:
        summary = {
            "request": {
                "method": response.request.method,
                "url": str(response.request.url),
                "headers": redact_headers(response.request.headers.items()),
                "items": [{"tracking_number": b["tracking_number"], "carrier_code": b["carrier_code"]} for b in body],
            },
            "response": {
                "status_code": response.status_code,
                "meta": envelope.get("meta"),
                "ok": sum(o.ok for o in outcomes),
                "already_exists": sum(o.already_exists for o in outcomes),
                "errors": [
                    {"tracking_number": o.tracking_number, "code": o.error.code, "message": o.error.message}
                    for o in outcomes if o.error is not None
                ],
            },
        }
        redacted: dict[str, Any] = json.loads(self._redact(json.dumps(summary, ensure_ascii=False)))
        return redacted

    async def batch_create(self, regs: Sequence[TrackingRegistration]) -> list[BatchItemOutcome]:
        """Register any number of trackings, 40 per call.

        A call the provider rejects as a whole (`Rejected`) fails just its items; connection-level
        errors (auth, quota, rate limit, retryable) are raised, since re-registering is idempotent.
        """
        outcomes: list[BatchItemOutcome] = []
        for start in range(0, len(regs), MAX_BATCH):
            chunk = regs[start : start + MAX_BATCH]
            try:
                outcomes.extend((await self.create_batch_call(chunk)).outcomes)
            except Rejected as exc:
                outcomes.extend(BatchItemOutcome(r.tracking_number, r.carrier_code, ok=False, error=exc) for r in chunk)
        return outcomes

    async def _bulk(self, path: str, items: list[dict[str, Any]]) -> list[BatchItemOutcome]:
        envelope = await self._call("POST", path, body=items)
        return match_outcomes(items, envelope.get("data"), registering=False, redact=self._redact)

    async def update_many(self, items: Iterable[Mapping[str, Any]]) -> list[BatchItemOutcome]:
        """POST /trackings/updatemore: per-item outcomes."""
        try:
            body = [UpdateManyItem(**item).payload() for item in items]
        except ValidationError as exc:
            raise _validation_error(exc) from None
        return await self._bulk("/trackings/updatemore", body)

    async def delete_many(self, items: Iterable[Mapping[str, Any] | tuple[str, str]]) -> list[BatchItemOutcome]:
        """POST /trackings/delete: items are {carrier_code, tracking_number} or (carrier_code, number)."""
        body = [TrackingKey(**item).payload() for item in _keys(items)]
        return await self._bulk("/trackings/delete", body)

    async def not_update(self, items: Iterable[Mapping[str, Any] | tuple[str, str]]) -> list[BatchItemOutcome]:
        """POST /trackings/notupdate: stop refreshing these trackings."""
        body = [TrackingKey(**item).payload() for item in _keys(items)]
        return await self._bulk("/trackings/notupdate", body)

    # -- listing ----------------------------------------------------------------------------

    async def list_trackings(
        self,
        page: int = 1,
        limit: int = 100,
        status: str | None = None,
        *,
        created_at_min: TimeFilter = None,
        created_at_max: TimeFilter = None,
        update_time_min: TimeFilter = None,
        update_time_max: TimeFilter = None,
        order_created_time_min: TimeFilter = None,
        order_created_time_max: TimeFilter = None,
        numbers: Sequence[str] | None = None,
        orders: Sequence[str] | None = None,
        lang: str | None = None,
    ) -> TrackingPage:
        """GET /trackings/get (1 request/s), one page; `limit` at most 2000."""
        if page < 1 or not 1 <= limit <= MAX_LIST_LIMIT:
            raise ValueError(f"page must be >= 1 and limit between 1 and {MAX_LIST_LIMIT}")
        params = {
            "page": page, "limit": limit, "status": status, "lang": lang,
            "created_at_min": _unix(created_at_min), "created_at_max": _unix(created_at_max),
            "update_time_min": _unix(update_time_min), "update_time_max": _unix(update_time_max),
            "order_created_time_min": _unix(order_created_time_min),
            "order_created_time_max": _unix(order_created_time_max),
            "numbers": ",".join(numbers) if numbers else None,
            "orders": ",".join(orders) if orders else None,
        }
        envelope = await self._call("GET", "/trackings/get", params=params, limiter=self._list_limiter)
        data = ListTrackingsData.model_validate(envelope.get("data") or {})
        return TrackingPage(data.page, data.limit, int(data.total), tuple(parse_tracking(i) for i in data.items))

    async def iter_trackings(self, **filters: Any) -> AsyncIterator[TrackingUpdate]:
        """Every tracking matching the filters, page after page."""
        page = int(filters.pop("page", 1))
        while True:
            result = await self.list_trackings(page=page, **filters)
            for item in result.items:
                yield item
            if not result.has_more:
                return
            page += 1

    # -- account and tools ----------------------------------------------------------------

    async def get_user_info(self) -> dict[str, Any]:
        """GET /trackings/getuserinfo (email, remaining quota...)."""
        data = (await self._call("GET", "/trackings/getuserinfo")).get("data")
        return data if isinstance(data, dict) else {}

    async def get_status_number(
        self,
        *,
        created_at_min: TimeFilter = None,
        created_at_max: TimeFilter = None,
        order_created_time_min: TimeFilter = None,
        order_created_time_max: TimeFilter = None,
    ) -> dict[str, int]:
        """GET /trackings/getstatusnumber: how many trackings are in each status."""
        params = {
            "created_at_min": _unix(created_at_min), "created_at_max": _unix(created_at_max),
            "order_created_time_min": _unix(order_created_time_min),
            "order_created_time_max": _unix(order_created_time_max),
        }
        data = (await self._call("GET", "/trackings/getstatusnumber", params=params)).get("data")
        if isinstance(data, list):
            data = data[0] if data else {}
        return {k: int(v) for k, v in (data or {}).items() if str(v).isdigit()}

    async def remote(self, items: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """POST /trackings/remote: is each (country, postcode[, company]) a remote area?"""
        try:
            body = [RemoteRequest(**item).payload() for item in items]
        except ValidationError as exc:
            raise _validation_error(exc) from None
        return list((await self._call("POST", "/trackings/remote", body=body)).get("data") or [])

    async def costtime(self, items: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """POST /trackings/costtime: transit-time statistics per (carrier_code, original, destination)."""
        try:
            body = [CosttimeRequest(**item).payload() for item in items]
        except ValidationError as exc:
            raise _validation_error(exc) from None
        return list((await self._call("POST", "/trackings/costtime", body=body)).get("data") or [])

    async def aircargo(self, numbers: Sequence[str]) -> list[dict[str, Any]]:
        """POST /trackings/aircargo: results for air waybill numbers (`track_number` list)."""
        data = (await self._call("POST", "/trackings/aircargo", body={"track_number": list(numbers)})).get("data")
        return list(data) if isinstance(data, list) else ([data] if data else [])

    async def list_carriers(self) -> list[dict[str, Any]]:
        """GET /carriers/: every carrier TrackingMore knows."""
        return list((await self._call("GET", "/carriers/")).get("data") or [])

    async def detect_carrier(self, number: str) -> list[dict[str, Any]]:
        """POST /carriers/detect: candidate carriers, best first; [] when none is detected (4032)."""
        body = {"tracking_number": number}
        envelope = await self._call("POST", "/carriers/detect", body=body, accept=(CANNOT_DETECT,))
        if int(envelope["meta"]["code"]) == CANNOT_DETECT:
            return []
        return list(envelope.get("data") or [])
