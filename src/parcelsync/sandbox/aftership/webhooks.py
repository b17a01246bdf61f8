"""Pushes signed tracking webhooks to each account's URL when a tracking's tag changes.

Body `{ts, event: "tracking_update", event_id, is_tracking_first_tag, msg: <tracking>}`, header
`aftership-hmac-sha256` = base64(HMAC-SHA256(raw body, webhook secret)). Non-2xx answers and transport
errors are retried a bounded number of times (AfterShip itself retries 14 times at 2^n x 30 s).
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import httpx

from parcelsync.sandbox.aftership.models import AfterShipState, TagChange

Sleep = Callable[[float], Awaitable[None]]


def signature(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


class WebhookDispatcher:
    def __init__(self, state: AfterShipState, client: httpx.AsyncClient | None = None, *, max_attempts: int = 4,
                 backoff_s: float = 0.5, sleep: Sleep = asyncio.sleep) -> None:
        self.state = state
        self.client = client
        self.max_attempts = max_attempts
        self.backoff_s = backoff_s
        self._sleep = sleep

    async def deliver(self, changes: Iterable[TagChange]) -> list[dict[str, Any]]:
        pending = [c for c in changes if (a := self.state.accounts.get(c.api_key)) and a.webhook_url]
        if not pending:
            return []
        if self.client is not None:
            return [await self._push(self.client, c) for c in pending]
        async with httpx.AsyncClient(timeout=10.0) as client:
            return [await self._push(client, c) for c in pending]

    async def _push(self, client: httpx.AsyncClient, change: TagChange) -> dict[str, Any]:
        account = self.state.accounts[change.api_key]
        payload = {"ts": int(self.state.now()), "event": "tracking_update", "event_id": str(uuid.uuid4()),
                   "is_tracking_first_tag": change.first_of_tag, "msg": change.tracking}
        body = json.dumps(payload, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json", "Accept": "application/json",
                   "aftership-hmac-sha256": signature(body, account.webhook_secret)}
        report: dict[str, Any] = {"url": account.webhook_url, "event_id": payload["event_id"],
                                  "tracking_number": change.tracking["tracking_number"], "tag": change.tracking["tag"],
                                  "attempts": 0, "delivered": False, "responses": []}
        for attempt in range(1, self.max_attempts + 1):
            if attempt > 1 and self.backoff_s > 0:
                await self._sleep(self.backoff_s * 2 ** (attempt - 2))
            report["attempts"] = attempt
            try:
                response = await client.post(account.webhook_url or "", content=body, headers=headers)
            except httpx.HTTPError as exc:
                report["responses"].append(type(exc).__name__)
                continue
            report["responses"].append(response.status_code)
            if 200 <= response.status_code < 300:
                report["delivered"] = True
                break
        self.state.webhook_deliveries.append(report)
        return report
