"""Signed webhook pushes to the app's subscribed URLs, as SHOPLINE sends them.

Each event is one message with a stable `X-Shopline-Webhook-Id`: a retry and an explicit
redelivery (`POST /_sandbox/stores/{handle}/webhooks/{webhook_id}/redeliver`) resend the same id
and the same body, so a receiver can de-duplicate on it. Headers: `X-Shopline-Topic`,
`X-Shopline-Hmac-Sha256` = Base64(HMAC-SHA256(app secret, raw body)), `X-Shopline-Shop-Domain`,
`X-Shopline-Shop-Id`, `X-Shopline-Merchant-Id`, `X-Shopline-API-Version`, `X-Shopline-Webhook-Id`,
`Content-Type: application/json; charset=utf-8`. A non-2xx answer or a transport error is retried
a bounded number of times (SHOPLINE itself keeps retrying for longer).

Pushes happen before the triggering call answers: the tightest ordering a real store can
produce (the echo of an update_tracking reaches the hub while the hub's call is still in flight).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
import zlib
from dataclasses import dataclass, field
from typing import Any

import httpx

from parcelsync.sandbox.shopline.models import ShoplineState, StoreRecord

MAX_ATTEMPTS = 3


@dataclass
class WebhookMessage:
    """One event for one subscription, and what became of its pushes."""

    webhook_id: str
    handle: str
    topic: str
    address: str
    api_version: str
    body: bytes = field(repr=False)
    attempts: int = 0
    delivered: bool = False
    responses: list[Any] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "webhook_id": self.webhook_id, "handle": self.handle, "topic": self.topic, "address": self.address,
            "api_version": self.api_version, "attempts": self.attempts, "delivered": self.delivered,
            "responses": list(self.responses), "body": json.loads(self.body),
        }


def signature(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def _headers(store: StoreRecord, message: WebhookMessage) -> dict[str, str]:
    shop_id = str(1_600_000_000_000 + zlib.crc32(store.handle.encode()) % 10**9)
    return {
        "Content-Type": "application/json; charset=utf-8",
        "X-Shopline-Topic": message.topic,
        "X-Shopline-Hmac-Sha256": signature(message.body, store.app_secret or ""),
        "X-Shopline-Shop-Domain": f"{store.handle}.myshopline.com",
        "X-Shopline-Shop-Id": shop_id,
        "X-Shopline-Merchant-Id": str(2_000_000_000 + zlib.crc32(shop_id.encode()) % 10**8),
        "X-Shopline-API-Version": message.api_version,
        "X-Shopline-Webhook-Id": message.webhook_id,
    }


async def _push(state: ShoplineState, store: StoreRecord, message: WebhookMessage) -> None:
    client: httpx.AsyncClient | None = state.webhook_client
    own = client is None
    http = client if client is not None else httpx.AsyncClient(timeout=10.0)
    try:
        for _ in range(MAX_ATTEMPTS):
            message.attempts += 1
            try:
                response = await http.post(message.address, content=message.body, headers=_headers(store, message))
            except httpx.HTTPError as exc:
                message.responses.append(type(exc).__name__)
                continue
            message.responses.append(response.status_code)
            if 200 <= response.status_code < 300:
                message.delivered = True
                return
    finally:
        if own:
            await http.aclose()


async def emit(state: ShoplineState, store: StoreRecord, topic: str, payload: dict[str, Any]) -> list[WebhookMessage]:
    """Push `payload` to every subscription of `topic` on the store (none without an app secret)."""
    if not store.app_secret:
        return []
    sent = []
    for subscription in list(store.subscriptions.values()):
        if subscription.topic != topic:
            continue
        message = WebhookMessage(
            webhook_id=uuid.uuid4().hex[:24], handle=store.handle, topic=topic, address=subscription.address,
            api_version=subscription.api_version,
            body=json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
        )
        state.deliveries.append(message)
        await _push(state, store, message)
        sent.append(message)
    return sent


async def redeliver(state: ShoplineState, webhook_id: str) -> WebhookMessage | None:
    """Send a message again: same webhook id, same body, fresh signature over it."""
    message = next((m for m in state.deliveries if m.webhook_id == webhook_id), None)
    if message is None or message.handle not in state.stores:
        return None
    await _push(state, state.stores[message.handle], message)
    return message
