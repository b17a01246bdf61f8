"""In-memory state of the SHOPLINE sandbox: stores, orders, fulfillments and their tracking.

Tracking is stored per fulfillment as a list. v20260301 writes replace the whole list (overwrite
update: an entry not sent is cleared); v20250601 writes replace it with their single entry.
Each store has a leaky bucket (4 requests/s, bucket 40 by default, switchable off) on a clock
tests can replace.
"""

from __future__ import annotations

import copy
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from parcelsync.sandbox.faults import FaultInjector
from parcelsync.sandbox.recorder import RequestLog
from parcelsync.sandbox.shopline.errors import error_body

if TYPE_CHECKING:
    from parcelsync.sandbox.shopline.webhooks import WebhookMessage

DEFAULT_RATE = 4.0
DEFAULT_BUCKET = 40
LIST_API_SINCE = "v20260301"

# The stores, token and ids in the seeds' own examples, so their curls work against a fresh sandbox:
# the API Explorer store and the `open001` handle example, the Bearer token both seeds show, and the
# literal `order_id` / `fulfillment_id` path segments of the curl samples.
DEMO_HANDLES = ("openapiceshidianpu", "open001")
DEMO_ACCESS_TOKEN = (
    "eyJhbGciOiJIUzUxMiJ9.eyJhcHBLZXkiOiJmMjM3OWQyMTYyOGMzM2QxMWRiMWZkYjY5N2EzZjdjMjZlNGMwYTA5Iiwic2VsbGVySWQiOiIy"
    "MDAwMjM0ODgwIiwic3RvcmVJZCI6IjE2NzIzNjk3Mjk2MDYiLCJ2ZXJzaW9uIjoiVjIiLCJkb21haW4iOiJodHRwczovL3NsLW9wZW4tc2cu"
    "bXlzaG9wbGluZS5jb20iLCJ0aW1lc3RhbXAiOjE2NzUzMTk0OTI0MzksImlzcyI6Inlzb3VsIiwiZXhwIjoxNzY5OTI3NDkyfQ.UwQzomM2ve"
    "GCUaOZ0paUxq5dpc7DXuhHYFvsQ_uIAKduzWcb_j2E4q_36El83sp145D4cKbpcE5KCeeIz-JNQw"
)
DEMO_ORDER_ID = "order_id"
DEMO_FULFILLMENT_ID = "fulfillment_id"

Clock = Callable[[], float]


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Bucket:
    """SHOPLINE's leaky bucket: `capacity` requests fit, leaking at `rate` per second."""

    rate: float = DEFAULT_RATE
    capacity: int = DEFAULT_BUCKET
    level: float = 0.0
    last: float | None = None

    def admit(self, now: float) -> bool:
        """Count one request at `now`; False (and nothing counted) when the bucket is full."""
        if self.last is not None:
            self.level = max(0.0, self.level - (now - self.last) * self.rate)
        self.last = now
        if self.level + 1 > self.capacity + 1e-9:
            return False
        self.level += 1
        return True


@dataclass(frozen=True, slots=True)
class Tracking:
    """One stored parcel of a fulfillment."""

    company: str | None
    number: str
    url: str | None

    def to_api(self) -> dict[str, Any]:
        return {"tracking_company": self.company, "tracking_number": self.number, "tracking_url": self.url}


def _money(amount: str, currency: str) -> dict[str, Any]:
    return {"amount": amount, "currency_code": currency}


def _price_set(amount: str, currency: str) -> dict[str, Any]:
    return {"presentment_money": _money(amount, currency), "shop_money": _money(amount, currency)}


def default_line_item(order_id: str, index: int = 1, currency: str = "USD") -> dict[str, Any]:
    """A line item shaped like the seeds' examples (v20260301 superset of fields)."""
    suffix = f"{zlib.crc32(f'{order_id}/{index}'.encode()) % 10**9:09d}"
    return {
        "fulfillable_quantity": 0,
        "fulfillment_status": "shipped",
        "grams": 45.0,
        "id": f"4{suffix}",
        "name": f"Sample product {index}",
        "price": "3.00",
        "price_set": _price_set("3.00", currency),
        "product_id": f"16{suffix}",
        "properties": [],
        "quantity": 1,
        "requires_shipping": True,
        "sku": f"SKU-{suffix}",
        "tax_lines": [
            {"name": "Product tax", "price": "0.30", "price_set": _price_set("0.30", currency), "rate": "0.10",
             "title": "Product tax"}
        ],
        "taxable": True,
        "title": f"Sample product {index}",
        "total_discount": "0.00",
        "total_discount_set": _price_set("0.00", currency),
        "variant_id": f"18{suffix}",
        "variant_title": "Black / M",
        "vendor": "Sandbox vendor",
        "version": "1",
    }


V20250601_LINE_ITEM_DROP = ("fulfillment_status", "properties", "vendor")


@dataclass
class FulfillmentRecord:
    """A package of an order, with the tracking SHOPLINE shows for it."""

    id: str
    order_id: str
    name: str
    line_items: list[dict[str, Any]]
    shipment_status: str | None = "confirmed"
    status: str = "success"
    tracking: list[Tracking] = field(default_factory=list)
    notifications: int = 0
    created_at: str = field(default_factory=now_iso)
    updated_at: str = field(default_factory=now_iso)

    def set_tracking(self, entries: Iterable[Tracking], notify_customer: bool) -> None:
        self.tracking = list(entries)
        self.updated_at = now_iso()
        if notify_customer:
            self.notifications += 1

    def to_api(self, api_version: str = LIST_API_SINCE) -> dict[str, Any]:
        """The fulfillment object as `api_version` answers it (v20250601 has no tracking_info_list)."""
        first = self.tracking[0] if self.tracking else None
        line_items = copy.deepcopy(self.line_items)
        body: dict[str, Any] = {
            "created_at": self.created_at,
            "id": self.id,
            "line_items": line_items,
            "name": self.name,
            "order_id": self.order_id,
            "shipment_status": self.shipment_status,
            "status": self.status,
            "tracking_company": first.company if first else None,
            "tracking_info_list": [t.to_api() for t in self.tracking],
            "tracking_number": first.number if first else None,
            "tracking_numbers": [t.number for t in self.tracking],
            "tracking_url": first.url if first else None,
            "tracking_urls": [t.url or "" for t in self.tracking],
            "updated_at": self.updated_at,
        }
        if api_version < LIST_API_SINCE:
            del body["tracking_info_list"]
            for item in line_items:
                for key in V20250601_LINE_ITEM_DROP:
                    item.pop(key, None)
                for tax in item.get("tax_lines", []):
                    tax.pop("name", None)
        return body


@dataclass
class OrderInfo:
    """Order-level data the order queries answer with: the payment, the buyer, the shipping status."""

    id: str
    pay_channel_deal_id: str | None = None
    email: str | None = None
    fulfillment_status: str = "shipped"
    created_at: str = field(default_factory=now_iso)
    updated_at: str = field(default_factory=now_iso)


@dataclass
class Subscription:
    """One webhook subscription of the app on the store (webhooks.json)."""

    id: int
    address: str
    topic: str
    api_version: str
    created_at: str = field(default_factory=now_iso)
    updated_at: str = field(default_factory=now_iso)

    def to_api(self) -> dict[str, Any]:
        return {"id": self.id, "address": self.address, "topic": self.topic, "api_version": self.api_version,
                "created_at": self.created_at, "updated_at": self.updated_at}


@dataclass
class StoreRecord:
    """One store (by handle) with its token, flags, bucket and orders."""

    handle: str
    access_token: str = field(repr=False)
    rate_limit: bool = True
    auto_create: bool = False
    frozen: bool = False
    locked: bool = False
    token_expired: bool = False
    bucket: Bucket = field(default_factory=Bucket)
    orders: dict[str, dict[str, FulfillmentRecord]] = field(default_factory=dict)
    app_secret: str | None = field(default=None, repr=False)
    order_info: dict[str, OrderInfo] = field(default_factory=dict)
    subscriptions: dict[int, Subscription] = field(default_factory=dict)

    def info(self, order_id: str) -> OrderInfo:
        """The order-level data (payment, buyer, status) of an order, created on first use."""
        found = self.order_info.get(order_id)
        if found is None:
            found = self.order_info[order_id] = OrderInfo(order_id)
        return found

    def public(self) -> dict[str, Any]:
        """Settings as the admin API shows them (never the token)."""
        return {
            "handle": self.handle,
            "rate_limit": self.rate_limit,
            "rate_per_second": self.bucket.rate,
            "bucket_size": self.bucket.capacity,
            "auto_create": self.auto_create,
            "frozen": self.frozen,
            "locked": self.locked,
            "token_expired": self.token_expired,
            "orders": len(self.orders),
        }

    def add_fulfillment(self, order_id: str, fulfillment_id: str, **kw: Any) -> FulfillmentRecord:
        """Create (or replace) a fulfillment; line items default to one seed-shaped item."""
        fulfillments = self.orders.setdefault(order_id, {})
        index = len(fulfillments) + 1
        line_items = kw.pop("line_items", None)
        tracking = [
            Tracking(t.get("tracking_company"), t["tracking_number"], t.get("tracking_url"))
            for t in kw.pop("tracking_info_list", None) or []
        ]
        items = [
            {**default_line_item(order_id, i + 1), **item} for i, item in enumerate(line_items or [{}])
        ]
        record = FulfillmentRecord(
            id=fulfillment_id, order_id=order_id, name=kw.pop("name", None) or f"#{order_id}.{index}",
            line_items=items, tracking=tracking, **kw,
        )
        fulfillments[fulfillment_id] = record
        return record

    def fulfillment(self, order_id: str, fulfillment_id: str) -> FulfillmentRecord | None:
        """The fulfillment, created on the fly when the store has `auto_create` on."""
        found = self.orders.get(order_id, {}).get(fulfillment_id)
        if found is None and self.auto_create:
            found = self.add_fulfillment(order_id, fulfillment_id)
        return found


class ShoplineState:
    """Everything the sandbox knows; `reset()` forgets it all (stores, log, faults) but the demo stores."""

    def __init__(self, *, clock: Clock = time.monotonic, demo: bool = False) -> None:
        self.clock = clock
        self.demo = demo
        self.stores: dict[str, StoreRecord] = {}
        self.log = RequestLog()
        self.faults = FaultInjector(error_body)
        self.webhook_client: Any = None  # an httpx.AsyncClient for pushes (tests: ASGI); None: a fresh one
        self.deliveries: list[WebhookMessage] = []  # newest last
        self.next_subscription_id = 1
        self._add_demo_stores()

    def reset(self) -> None:
        self.stores.clear()
        self.log.clear()
        self.faults.reset()
        self.deliveries.clear()
        self.next_subscription_id = 1
        self._add_demo_stores()

    def _add_demo_stores(self) -> None:
        """With `demo`, the seeds' example stores (see DEMO_HANDLES), each with the seeds' order and fulfillment."""
        if not self.demo:
            return
        for handle in DEMO_HANDLES:
            self.add_store(handle, DEMO_ACCESS_TOKEN)
            self.add_order(handle, DEMO_ORDER_ID, [{"id": DEMO_FULFILLMENT_ID}])

    def add_store(
        self,
        handle: str,
        access_token: str,
        *,
        rate_limit: bool = True,
        auto_create: bool = False,
        rate_per_second: float = DEFAULT_RATE,
        bucket_size: int = DEFAULT_BUCKET,
        app_secret: str | None = None,
    ) -> StoreRecord:
        """Create a store, or update its settings keeping its orders."""
        store = self.stores.get(handle)
        bucket = Bucket(rate=rate_per_second, capacity=bucket_size)
        if store is None:
            store = self.stores[handle] = StoreRecord(handle, access_token, bucket=bucket)
        else:
            store.access_token = access_token
            store.bucket = bucket
        store.rate_limit = rate_limit
        store.auto_create = auto_create
        if app_secret is not None:
            store.app_secret = app_secret
        return store

    def add_order(self, handle: str, order_id: str, fulfillments: Iterable[dict[str, Any]]) -> list[FulfillmentRecord]:
        """Seed an order with fulfillments (dicts with `id` and optional line_items, statuses, name)."""
        store = self.stores[handle]
        store.orders.setdefault(order_id, {})
        return [store.add_fulfillment(order_id, str(f["id"]), **{k: v for k, v in f.items() if k != "id"})
                for f in fulfillments]

    def admit(self, store: StoreRecord) -> bool:
        """Apply the store's leaky bucket to one request."""
        return not store.rate_limit or store.bucket.admit(self.clock())
