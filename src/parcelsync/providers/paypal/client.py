"""PayPal client: OAuth 2.0 token cache, Orders v2 tracking, the v1 trackers API. The only PayPal I/O.

- The access token is cached until shortly before `expires_in` runs out; a 401 on an API call
  refreshes it once and repeats the call; a second 401 (or a refused token request) is `AuthError`.
- Every write carries `PayPal-Request-Id`. Unless the caller passes one, it is derived from the
  method, path and body, so a retried write is the same request to PayPal and never adds twice.
- Capture ids looked up from `GET /v2/checkout/orders/{id}` are cached per order.
- 429 is `RateLimited` (Retry-After honoured), 5xx and transport failures `Retryable`, other 4xx
  `Rejected` with `details[0].issue` as code and reason; `debug_id` travels on every outcome.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

import httpx

from parcelsync.providers.errors import AuthError, NotFound, ProviderError, Retryable, redact
from parcelsync.providers.http import parse_retry_after, send
from parcelsync.providers.paypal.mapping import (
    PaymentTrackers,
    TrackerLine,
    TrackerOutcome,
    build_batch_body,
    build_cancel_patch,
    build_order_track_body,
    build_tracker_update_body,
    error_from_body,
    find_capture_id,
    find_order_tracker,
    parse_batch_response,
    parse_error_body,
    tracker_id,
)
from parcelsync.providers.paypal.schemas import (
    BATCH_PATH,
    DEBUG_ID_HEADER,
    MAX_TRACKERS_PER_BATCH,
    ORDERS_PATH,
    PROVIDER,
    REQUEST_ID_HEADER,
    TOKEN_PATH,
    TRACKERS_PATH,
    TRACKING_SCOPE,
    TokenResponse,
)
from parcelsync.providers.paypal.status import TrackerStatus

Clock = Callable[[], float]
DEFAULT_REFRESH_MARGIN_S = 120.0


def request_id_for(method: str, path: str, body: object) -> str:
    """A stable `PayPal-Request-Id` for a write: the same write always carries the same id."""
    digest = hashlib.sha256(f"{method} {path} {json.dumps(body, sort_keys=True)}".encode()).hexdigest()
    return f"ps-{digest[:40]}"


class PayPalClient:
    """Tracking for one PayPal REST app (client id + secret) over an injected `httpx.AsyncClient`."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        base_url: str,
        client_id: str,
        client_secret: str,
        clock: Clock = time.monotonic,
        refresh_margin_s: float = DEFAULT_REFRESH_MARGIN_S,
    ) -> None:
        self._http = http
        self.base_url = base_url.rstrip("/")
        self.client_id = client_id
        self.__secret = client_secret
        self._clock = clock
        self._margin = refresh_margin_s
        self._token: str | None = None
        self._token_expires_at = 0.0
        self.token_scope = ""
        self._token_lock = asyncio.Lock()
        self._captures: dict[str, str] = {}
        self.token_requests = 0

    def __repr__(self) -> str:
        return f"PayPalClient(base_url={self.base_url!r})"

    def _basic(self) -> str:
        return "Basic " + base64.b64encode(f"{self.client_id}:{self.__secret}".encode()).decode()

    def _clean(self, text: str) -> str:
        return redact(text, [self.__secret, self._token])

    # -- OAuth ---------------------------------------------------------------------------

    def _token_valid(self) -> bool:
        return self._token is not None and self._clock() < self._token_expires_at

    async def access_token(self, *, force: bool = False) -> str:
        """A bearer token, from the cache unless it is (about to be) expired or `force`."""
        stale = self._token
        async with self._token_lock:
            if self._token_valid() and not (force and self._token == stale):
                assert self._token is not None
                return self._token
            return await self._fetch_token()

    async def _fetch_token(self) -> str:
        request = self._http.build_request(
            "POST", self.base_url + TOKEN_PATH,
            data={"grant_type": "client_credentials"},
            headers={"Accept": "application/json", "Accept-Language": "en_US", "Authorization": self._basic()},
        )
        self.token_requests += 1
        response = await _send_bounded(self._http, request)
        payload = self._json(response)
        if response.status_code in (400, 401, 403):
            # The token endpoint answers in OAuth's own shape: {error, error_description}.
            reason = payload.get("error_description") or payload.get("error") if isinstance(payload, dict) else None
            raise AuthError(self._clean(str(reason or "PayPal refused the client credentials")),
                            provider=PROVIDER, status_code=response.status_code,
                            code=payload.get("error") if isinstance(payload, dict) else None)
        if response.status_code >= 300:
            raise self._error(response, payload)
        try:
            token = TokenResponse.model_validate(payload)
        except ValueError:
            raise Retryable("PayPal's token answer does not match the documented shape", provider=PROVIDER,
                            status_code=response.status_code) from None
        margin = min(self._margin, token.expires_in / 2)
        self._token = token.access_token
        self.token_scope = token.scope or ""
        self._token_expires_at = self._clock() + token.expires_in - margin
        return token.access_token

    async def probe(self) -> dict[str, Any]:
        """"Test connection": a fresh token proves the credentials; says whether tracking is in its scopes."""
        await self.access_token(force=True)
        return {"ok": True, "tracking_scope": TRACKING_SCOPE in self.token_scope.split()}

    # -- transport -----------------------------------------------------------------------

    @staticmethod
    def _json(response: httpx.Response) -> Any:
        if not response.content:
            return {}
        try:
            return response.json()
        except ValueError:
            return None

    def _error(self, response: httpx.Response, payload: Any) -> ProviderError:
        body = parse_error_body(payload)
        body = body.model_copy(update={"message": self._clean(body.message or "")}) if body.message else body
        return error_from_body(
            response.status_code, body, retry_after=parse_retry_after(response.headers.get("Retry-After")),
            debug_id=response.headers.get(DEBUG_ID_HEADER),
        )

    async def _call(
        self, method: str, path: str, body: Any = None, *, request_id: str | None = None
    ) -> tuple[httpx.Response, Any]:
        """One API call with the cached token; a 401 refreshes the token once and repeats the call."""
        for attempt in (1, 2):
            token = await self.access_token(force=attempt == 2)
            headers = {"Authorization": f"Bearer {token}", "Accept": "application/json",
                       "Content-Type": "application/json"}
            if method != "GET":
                headers[REQUEST_ID_HEADER] = request_id or request_id_for(method, path, body)
            content = json.dumps(body).encode() if body is not None else None
            request = self._http.build_request(method, self.base_url + path, headers=headers, content=content)
            response = await _send_bounded(self._http, request)
            payload = self._json(response)
            if response.status_code == 401 and attempt == 1:
                continue
            if response.status_code >= 300:
                raise self._error(response, payload)
            if payload is None:
                raise Retryable("malformed JSON in PayPal's answer", provider=PROVIDER,
                                status_code=response.status_code)
            return response, payload
        raise AssertionError("unreachable")  # pragma: no cover

    # -- Orders v2 -------------------------------------------------------------------------

    async def get_order(self, order_id: str) -> dict[str, Any]:
        """`GET /v2/checkout/orders/{id}`."""
        _, payload = await self._call("GET", f"{ORDERS_PATH}/{quote(order_id, safe='')}")
        return dict(payload)

    async def order_trackers(self, order_id: str) -> list[dict[str, Any]]:
        """The order's trackers (`purchase_units[].shipping.trackers[]`), read back for reconcile."""
        order = await self.get_order(order_id)
        return [dict(t) for unit in order.get("purchase_units") or []
                for t in ((unit.get("shipping") or {}).get("trackers") or []) if isinstance(t, dict)]

    async def capture_id_for(self, order_id: str) -> str:
        """The order's capture id (looked up once, then cached); `NotFound` if it has no capture."""
        cached = self._captures.get(order_id)
        if cached:
            return cached
        capture = find_capture_id(await self.get_order(order_id))
        if not capture:
            raise NotFound("the PayPal order has no capture to attach tracking to", provider=PROVIDER,
                           field="capture_id")
        self._captures[order_id] = capture
        return capture

    def remember_capture(self, order_id: str, capture_id: str) -> None:
        """Seed the cache with a capture id the shipment already carries."""
        self._captures[order_id] = capture_id

    async def add_order_tracker(
        self, order_id: str, line: TrackerLine, *, capture_id: str | None = None,
        notify_payer: bool = False, request_id: str | None = None,
    ) -> TrackerOutcome:
        """`POST /v2/checkout/orders/{id}/track` for one parcel; the answer is the updated order."""
        capture = capture_id or await self.capture_id_for(order_id)
        path = f"{ORDERS_PATH}/{quote(order_id, safe='')}/track"
        response, order = await self._call(
            "POST", path, build_order_track_body(capture, line, notify_payer=notify_payer), request_id=request_id
        )
        tid = find_order_tracker(order, line.tracking_number, capture) or f"{capture}-{line.tracking_number}"
        return TrackerOutcome(order_id, line.tracking_number, True, debug_id=response.headers.get(DEBUG_ID_HEADER),
                              tracker_id=tid, status=TrackerStatus.SHIPPED)

    async def cancel_order_tracker(self, order_id: str, tracker: str, *,
                                   request_id: str | None = None) -> TrackerOutcome:
        """`PATCH /v2/checkout/orders/{id}/trackers/{tracker_id}` to `CANCELLED` (answers 204)."""
        path = f"{ORDERS_PATH}/{quote(order_id, safe='')}/trackers/{quote(tracker, safe='')}"
        response, _ = await self._call("PATCH", path, build_cancel_patch(), request_id=request_id)
        number = tracker.split("-", 1)[1] if "-" in tracker else tracker
        return TrackerOutcome(order_id, number, True, debug_id=response.headers.get(DEBUG_ID_HEADER),
                              tracker_id=tracker, status=TrackerStatus.CANCELLED)

    async def send_order_trackers(
        self, trackers: PaymentTrackers, *, notify_payer: bool = False, request_id_prefix: str | None = None
    ) -> list[TrackerOutcome]:
        """Every tracker of one order: shipped ones added, cancelled ones patched; one outcome each.

        `request_id_prefix` (say the outbox target and its desired version) makes each write's
        `PayPal-Request-Id` `{prefix}:{tracking_number}:{status}`; without it the id is derived from the body.
        """
        outcomes: list[TrackerOutcome] = []
        if trackers.capture_id:
            self.remember_capture(trackers.payment_id, trackers.capture_id)
        for line in trackers.lines:
            try:
                if line.status is TrackerStatus.CANCELLED:
                    capture = await self.capture_id_for(trackers.payment_id)
                    outcomes.append(await self.cancel_order_tracker(
                        trackers.payment_id, f"{capture}-{line.tracking_number}",
                        request_id=_rid(request_id_prefix, line)))
                else:
                    outcomes.append(await self.add_order_tracker(
                        trackers.payment_id, line, notify_payer=notify_payer,
                        request_id=_rid(request_id_prefix, line)))
            except ProviderError as exc:
                if isinstance(exc, AuthError):
                    raise
                outcomes.append(TrackerOutcome(trackers.payment_id, line.tracking_number, False, exc.reason, exc,
                                               exc.trace_id, status=line.status))
        return outcomes

    # -- v1 trackers (deprecated by PayPal; a connection option) ---------------------------

    async def add_trackers_batch(
        self, items: Sequence[tuple[str, TrackerLine]], *, request_id: str | None = None
    ) -> list[TrackerOutcome]:
        """One `POST /v1/shipping/trackers-batch` for at most 20 (transaction id, tracker) pairs."""
        if len(items) > MAX_TRACKERS_PER_BATCH:
            raise ValueError(f"PayPal accepts at most {MAX_TRACKERS_PER_BATCH} trackers a call, got {len(items)}")
        if not items:
            return []
        response, payload = await self._call("POST", BATCH_PATH, build_batch_body(items), request_id=request_id)
        outcomes = parse_batch_response(payload, [(txn, line.tracking_number) for txn, line in items],
                                        debug_id=response.headers.get(DEBUG_ID_HEADER))
        return [o if not o.accepted else _with_status(o, line.status) for o, (_, line) in zip(outcomes, items,
                                                                                              strict=True)]

    async def get_tracker(self, transaction_id: str, tracking_number: str) -> dict[str, Any]:
        """`GET /v1/shipping/trackers/{transaction_id}-{tracking_number}`."""
        path = f"{TRACKERS_PATH}/{quote(tracker_id(transaction_id, tracking_number), safe='')}"
        _, payload = await self._call("GET", path)
        return dict(payload)

    async def list_trackers(self, transaction_id: str, tracking_number: str | None = None) -> list[dict[str, Any]]:
        """`GET /v1/shipping/trackers?transaction_id=...`: a transaction's trackers (read-back for reconcile)."""
        query = f"?transaction_id={quote(transaction_id, safe='')}"
        if tracking_number:
            query += f"&tracking_number={quote(tracking_number, safe='')}"
        _, payload = await self._call("GET", TRACKERS_PATH + query)
        return [dict(t) for t in payload.get("trackers") or [] if isinstance(t, dict)]

    async def update_tracker(self, transaction_id: str, line: TrackerLine) -> TrackerOutcome:
        """`PUT /v1/shipping/trackers/{id}`: change a tracker's status (or cancel it); answers 204."""
        tid = tracker_id(transaction_id, line.tracking_number)
        response, _ = await self._call("PUT", f"{TRACKERS_PATH}/{quote(tid, safe='')}",
                                       build_tracker_update_body(transaction_id, line))
        return TrackerOutcome(transaction_id, line.tracking_number, True,
                              debug_id=response.headers.get(DEBUG_ID_HEADER), tracker_id=tid, status=line.status)

    async def send_batch_trackers(
        self, payments: Sequence[PaymentTrackers], acknowledged: Mapping[tuple[str, str], str] | None = None
    ) -> list[TrackerOutcome]:
        """v1 full sets: trackers PayPal never acknowledged are added in batches of 20, known ones updated
        with PUT. A failed call fails only its own trackers; one outcome per tracker, in input order."""
        known = acknowledged or {}
        new: list[tuple[str, TrackerLine]] = []
        results: dict[tuple[str, str], TrackerOutcome] = {}
        order = [(p.payment_id, line) for p in payments for line in p.lines]
        for txn, line in order:
            if (txn, line.tracking_number) in known:
                try:
                    results[(txn, line.tracking_number)] = await self.update_tracker(txn, line)
                except ProviderError as exc:
                    if isinstance(exc, AuthError):
                        raise
                    results[(txn, line.tracking_number)] = _failed(txn, line, exc)
            elif line.status is not TrackerStatus.CANCELLED:
                new.append((txn, line))
            else:
                results[(txn, line.tracking_number)] = TrackerOutcome(txn, line.tracking_number, True,
                                                                      status=line.status)
        for start in range(0, len(new), MAX_TRACKERS_PER_BATCH):
            chunk = new[start : start + MAX_TRACKERS_PER_BATCH]
            try:
                outcomes = await self.add_trackers_batch(chunk)
            except ProviderError as exc:
                if isinstance(exc, AuthError):
                    raise
                outcomes = [_failed(txn, line, exc) for txn, line in chunk]
            for outcome in outcomes:
                results[(outcome.payment_id, outcome.tracking_number)] = outcome
        return [results[(txn, line.tracking_number)] for txn, line in order]


def _rid(prefix: str | None, line: TrackerLine) -> str | None:
    return f"{prefix}:{line.tracking_number}:{line.status.value}" if prefix else None


def _failed(txn: str, line: TrackerLine, exc: ProviderError) -> TrackerOutcome:
    return TrackerOutcome(txn, line.tracking_number, False, exc.reason, exc, exc.trace_id, status=line.status)


def _with_status(outcome: TrackerOutcome, status: TrackerStatus) -> TrackerOutcome:
    return TrackerOutcome(outcome.payment_id, outcome.tracking_number, outcome.accepted, outcome.reason,
                          outcome.error, outcome.debug_id, outcome.tracker_id, status)


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
