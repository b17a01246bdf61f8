"""Reading from the store: orders (with their fulfillments) and webhook subscriptions, paced by the store's bucket.

Documented calls (Admin REST API, `/admin/openapi/{version}/...`):
- `GET orders.json`: orders by `updated_at_min` / `ids` / `fulfillment_status`, `limit` default 50,
  at most 100 on this endpoint; cursor paging: the `Link` response header carries
  `<...page_info=...>; rel="next"`, and no `Link` (or no `rel="next"`) means the last page.
  After the first page only `limit` and `page_info` are sent (page_info encodes the filters).
- `GET webhooks.json` / `POST webhooks.json` `{"webhook": {address, api_version, topic}}`: the
  subscriptions of this app on this store (subscribable for event versions v20240601 and later).
Every call waits for the same per-store leaky bucket as update_tracking (4/s, bucket 40).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from parcelsync.providers.errors import Retryable
from parcelsync.providers.http import send
from parcelsync.providers.shopline.client import CONTENT_TYPE, ShoplineClient
from parcelsync.providers.shopline.mapping import PROVIDER

ORDERS_PAGE_LIMIT = 100
WEBHOOK_API_VERSION = "v20240601"
_LINK = re.compile(r"<([^>]+)>\s*;\s*rel=\"?([a-z]+)\"?", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class OrdersPage:
    """One page of orders and the cursor of the next page (None on the last page)."""

    orders: list[dict[str, Any]]
    next_page_info: str | None


def next_page_info(link_header: str | None) -> str | None:
    """The `page_info` of the `rel="next"` URL in a `Link` header, or None when there is no next page."""
    for url, rel in _LINK.findall(link_header or ""):
        if rel.lower() == "next":
            values = parse_qs(urlsplit(url).query).get("page_info")
            return values[0] if values else None
    return None


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


class ShoplineStoreClient(ShoplineClient):
    """update_tracking plus the order and webhook-subscription reads inbound sync needs."""

    def _prefix(self) -> str:
        return f"{self.base_url}/admin/openapi/{self.api_version}"

    async def _call(self, method: str, path: str, *, params: Mapping[str, str] | None = None,
                    json_body: Any = None) -> tuple[Any, Any]:
        request = self._http.build_request(
            method, self._prefix() + path, params=dict(params or {}), json=json_body,
            headers={"Authorization": f"Bearer {self._token}", "Content-Type": CONTENT_TYPE,
                     "Accept": "application/json"},
        )
        await self.limiter.acquire()
        response = await send(self._http, request, provider=PROVIDER)
        trace_id = response.headers.get("traceId")
        try:
            payload: Any = response.json()
        except ValueError:
            payload = None
        if response.status_code >= 300:
            raise self._error(response, payload, trace_id)
        if not isinstance(payload, dict):
            raise Retryable("SHOPLINE answered with a body that is not a JSON object", provider=PROVIDER,
                            status_code=response.status_code, trace_id=trace_id)
        return payload, response

    async def get_order(self, order_id: str) -> dict[str, Any] | None:
        """One order by id (`orders.json?ids=...`), or None when the store has no such order."""
        payload, _ = await self._call("GET", "/orders.json", params={"ids": str(order_id), "limit": "1"})
        orders = [o for o in payload.get("orders") or [] if isinstance(o, dict)]
        return orders[0] if orders else None

    async def list_orders(
        self, *, updated_at_min: datetime | None = None, fulfillment_status: str | None = None,
        page_info: str | None = None, limit: int = ORDERS_PAGE_LIMIT,
    ) -> OrdersPage:
        """One page of orders: the first by filters, the next ones by `page_info` alone."""
        params = {"limit": str(max(1, min(limit, ORDERS_PAGE_LIMIT)))}
        if page_info:
            params["page_info"] = page_info
        else:
            if updated_at_min is not None:
                params["updated_at_min"] = _iso(updated_at_min)
            if fulfillment_status:
                params["fulfillment_status"] = fulfillment_status
        payload, response = await self._call("GET", "/orders.json", params=params)
        orders = [o for o in payload.get("orders") or [] if isinstance(o, dict)]
        return OrdersPage(orders, next_page_info(response.headers.get("link")))

    async def list_webhooks(self) -> list[dict[str, Any]]:
        payload, _ = await self._call("GET", "/webhooks.json")
        return [w for w in payload.get("webhooks") or [] if isinstance(w, dict)]

    async def subscribe(self, address: str, topic: str, api_version: str = WEBHOOK_API_VERSION) -> dict[str, Any]:
        payload, _ = await self._call(
            "POST", "/webhooks.json",
            json_body={"webhook": {"address": address, "api_version": api_version, "topic": topic}},
        )
        webhook = payload.get("webhook")
        return webhook if isinstance(webhook, dict) else {}
