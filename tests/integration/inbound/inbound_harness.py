"""A hub whose API receives the SHOPLINE sandbox's webhooks in-process (both ASGI apps, no sockets)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select
from tests.integration.sync.sync_harness import MERCHANT, Hub, make_hub

from parcelsync.api import create_app
from parcelsync.db.tables import ShipmentRow, StatusEventRow
from parcelsync.sandbox.shopline.webhooks import signature

HUB_ROOT = "http://hub"
WEBHOOK_URL = f"{HUB_ROOT}/v1/webhooks/shopline/{MERCHANT}"


@dataclass
class InboundHub:
    hub: Hub
    api: FastAPI
    client: httpx.AsyncClient  # to the hub API

    @property
    def store(self) -> Any:
        return self.hub.sandboxes.shopline.stores[self.hub.accounts.shop_handle]

    def subscribe_in_sandbox(self, *topics: str) -> None:
        from parcelsync.sandbox.shopline.models import Subscription

        state = self.hub.sandboxes.shopline
        for topic in topics or ("fulfillments/create", "fulfillments/update"):
            self.store.subscriptions[state.next_subscription_id] = Subscription(
                state.next_subscription_id, WEBHOOK_URL, topic, "v20240601"
            )
            state.next_subscription_id += 1

    async def admin_edit(self, order_id: str, fulfillment_id: str, numbers: list[str], **extra: Any) -> dict[str, Any]:
        response = await self.hub.http.put(
            f"{self.hub.urls.shopline_admin}/_sandbox/stores/{self.hub.accounts.shop_handle}"
            f"/orders/{order_id}/fulfillments/{fulfillment_id}",
            json={"tracking_info_list": [{"tracking_number": n} for n in numbers], **extra},
        )
        assert response.status_code in (200, 201), response.text
        return response.json()  # type: ignore[no-any-return]

    async def post_signed(self, payload: dict[str, Any], *, webhook_id: str, topic: str = "fulfillments/update",
                          secret: str | None = None, signed: bool = True) -> httpx.Response:
        body = json.dumps(payload).encode()
        headers = {"Content-Type": "application/json", "X-Shopline-Topic": topic, "X-Shopline-Webhook-Id": webhook_id,
                   "X-Shopline-Shop-Domain": "demo-store.myshopline.com", "X-Shopline-API-Version": "v20260301"}
        if signed:
            headers["X-Shopline-Hmac-Sha256"] = signature(body, secret or self.hub.accounts.shopline_app_secret)
        return await self.client.post(f"/v1/webhooks/shopline/{MERCHANT}", content=body, headers=headers)

    async def shipment_count(self) -> int:
        async with self.hub.sessions() as session:
            return int(await session.scalar(
                select(func.count()).select_from(ShipmentRow).where(ShipmentRow.deleted_at.is_(None))
            ) or 0)

    async def status_event_count(self) -> int:
        async with self.hub.sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(StatusEventRow)) or 0)

    async def aclose(self) -> None:
        await self.client.aclose()
        await self.hub.sandboxes.shopline.webhook_client.aclose()
        await self.hub.http.aclose()
        await self.hub.engine.dispose()


def calls(hub: Hub) -> dict[str, int]:
    """Requests each sandbox has received so far (its own request log), admin calls excluded."""
    def count(log: Any) -> int:
        return sum(1 for r in log.items if "/_sandbox" not in r.path)

    return {
        "useepay": count(hub.sandboxes.useepay.log),
        "shopline": count(hub.sandboxes.shopline.log),
        "trackingmore": count(hub.sandboxes.trackingmore.log),
    }


async def make_inbound_hub(database_url: str) -> InboundHub:
    hub = await make_hub(database_url)
    api = create_app(hub.settings)
    api.state.inbound_http = hub.http
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url=HUB_ROOT, timeout=30)
    hub.sandboxes.shopline.webhook_client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=api), timeout=30
    )
    return InboundHub(hub, api, client)
