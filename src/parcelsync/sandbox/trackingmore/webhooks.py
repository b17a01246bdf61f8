"""Pushes signed v2 webhooks to each account's URL when a tracking's status changes.

Body: `{"meta": {...200...}, "data": <tracking>, "verifyInfo": {"timeStr", "signature"}}` with
`signature = hex(HMAC-SHA256(key=account email, message=timeStr))` and `timeStr` the wall-clock
Unix time of sending. Non-2xx answers and transport errors are retried a bounded number of
times with exponential backoff (TrackingMore itself backs off for much longer).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import httpx

from parcelsync.sandbox.trackingmore.errors import meta
from parcelsync.sandbox.trackingmore.models import StatusChange, TrackingMoreState

Sleep = Callable[[float], Awaitable[None]]


def signed_body(tracking: dict[str, Any], email: str, time_str: str) -> dict[str, Any]:
    signature = hmac.new(email.encode(), time_str.encode(), hashlib.sha256).hexdigest()
    return {"meta": meta(200), "data": tracking, "verifyInfo": {"timeStr": time_str, "signature": signature}}


class WebhookDispatcher:
    """Delivers status changes; the HTTP client is injectable (tests pass an ASGITransport client)."""

    def __init__(
        self,
        state: TrackingMoreState,
        client: httpx.AsyncClient | None = None,
        *,
        max_attempts: int = 4,
        backoff_s: float = 0.5,
        sleep: Sleep = asyncio.sleep,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.state = state
        self.client = client
        self.max_attempts = max_attempts
        self.backoff_s = backoff_s
        self._sleep = sleep
        self._wall_clock = wall_clock

    async def deliver(self, changes: Iterable[StatusChange]) -> list[dict[str, Any]]:
        """Push every change whose account has a webhook URL; returns (and records) one report per push."""
        pending = [c for c in changes if (a := self.state.accounts.get(c.api_key)) and a.webhook_url]
        if not pending:
            return []
        if self.client is not None:
            return [await self._push(self.client, c) for c in pending]
        async with httpx.AsyncClient(timeout=10.0) as client:
            return [await self._push(client, c) for c in pending]

    async def _push(self, client: httpx.AsyncClient, change: StatusChange) -> dict[str, Any]:
        account = self.state.accounts[change.api_key]
        url = account.webhook_url or ""
        report: dict[str, Any] = {
            "url": url, "tracking_number": change.tracking["tracking_number"],
            "carrier_code": change.tracking["carrier_code"], "status": change.tracking["status"],
            "attempts": 0, "delivered": False, "responses": [],
        }
        for attempt in range(1, self.max_attempts + 1):
            if attempt > 1 and self.backoff_s > 0:
                await self._sleep(self.backoff_s * 2 ** (attempt - 2))
            body = signed_body(change.tracking, account.email, str(int(self._wall_clock())))
            report["attempts"] = attempt
            try:
                response = await client.post(
                    url, content=json.dumps(body, ensure_ascii=False).encode(),
                    headers={"Content-Type": "application/json"},
                )
            except httpx.HTTPError as exc:
                report["responses"].append(type(exc).__name__)
                continue
            report["responses"].append(response.status_code)
            if 200 <= response.status_code < 300:
                report["delivered"] = True
                break
        self.state.webhook_deliveries.append(report)
        return report
