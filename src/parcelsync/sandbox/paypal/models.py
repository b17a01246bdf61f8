"""PayPal sandbox state: REST apps and their tokens, orders with captures, v1 transactions, trackers.

The clock is simulated: `now()` is wall time plus an offset the admin API (and tests) advance, so
token expiry can be tested without waiting. `reset()` returns everything to how it was constructed.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from parcelsync.sandbox.faults import FaultInjector
from parcelsync.sandbox.paypal.errors import fault_body
from parcelsync.sandbox.recorder import RequestLog

# The ids used in PayPal's own request examples, so the documented calls work on a fresh sandbox.
DEMO_CLIENT_ID = "AeA1QIZXiflr1_-r0U2UbWTziOWX1GRQer5ax_JV19tYtMX0tL3zqxVIu2dbHHOI0LfVfdTsZhBz2FxZ"
DEMO_CLIENT_SECRET = "EDWyPiKz-KgCyVQwCGYmGq6bk1xS8-YKExg2bpl9_TLhx1tyJm7wUBPFSo1V0UDuY8UHJ94vNJb66qYf"
# The placeholders and the bearer token PayPal's own curl examples carry, accepted verbatim in demo mode.
DOCS_CLIENT_ID, DOCS_CLIENT_SECRET = "CLIENT_ID", "CLIENT_SECRET"
DOCS_ACCESS_TOKEN = ("A21AAGHr9qtiRRXH4oYcQokQgV99rGqEIfgrr8xHCclP0OzmD9KVgg5ppIIg1jzJgQkV4wd02svIvBJyg6cLFJjFow_"
                     "SjBhxQ")
DEMO_ORDERS: Mapping[str, tuple[str, ...]] = {"5O190127TN364715T": ("8MC585209K746392H",)}
DEMO_TRANSACTIONS = ("8MC585209K746392H", "53Y56775AE587553X")
DEFAULT_TOKEN_TTL_S = 32400.0  # PayPal's documented example answer: "expires_in": 32400.
DEFAULT_MAX_TRACKER_UPDATES = 15  # Integrators report refusals after about 15 updates (unconfirmed).
APP_ID = "APP-80W284485P519543T"
TOKEN_SCOPE = ("https://uri.paypal.com/services/payments/payment https://uri.paypal.com/services/shipping/"
               "trackers/readwrite https://uri.paypal.com/services/payments/refund")


@dataclass
class App:
    """One REST app of a merchant account: credentials, known transactions, orders."""

    client_id: str
    client_secret: str = field(repr=False)
    transactions: set[str] = field(default_factory=set)
    accept_any_transaction: bool = False
    orders: dict[str, dict[str, str]] = field(default_factory=dict)  # order id -> capture id -> status

    def knows_transaction(self, transaction_id: str) -> bool:
        captures = {c for caps in self.orders.values() for c in caps}
        return self.accept_any_transaction or transaction_id in self.transactions or transaction_id in captures

    def copy(self) -> App:
        return App(self.client_id, self.client_secret, set(self.transactions), self.accept_any_transaction,
                   {o: dict(c) for o, c in self.orders.items()})

    def public(self) -> dict[str, Any]:
        return {"client_id": self.client_id, "transactions": sorted(self.transactions),
                "accept_any_transaction": self.accept_any_transaction,
                "orders": {o: sorted(c) for o, c in self.orders.items()}}


@dataclass
class Tracker:
    """A tracker (v1 or Orders v2): what PayPal stores, plus how often it was changed."""

    id: str
    transaction_id: str
    tracking_number: str
    status: str
    carrier: str | None
    carrier_name_other: str | None = None
    shipment_date: str | None = None
    notify_payer: bool = False
    items: list[dict[str, Any]] = field(default_factory=list)
    order_id: str | None = None
    created: str = ""
    updated: str = ""
    updates: int = 0

    def fields(self) -> tuple[Any, ...]:
        return (self.status, self.carrier, self.carrier_name_other, self.shipment_date)

    def to_v1(self, base: str) -> dict[str, Any]:
        body: dict[str, Any] = {"transaction_id": self.transaction_id, "tracking_number": self.tracking_number,
                                "status": self.status}
        for name in ("carrier", "carrier_name_other", "shipment_date"):
            if getattr(self, name):
                body[name] = getattr(self, name)
        body["links"] = [{"href": f"{base}/v1/shipping/trackers/{self.id}", "rel": "self", "method": "GET"},
                         {"href": f"{base}/v1/shipping/trackers/{self.id}", "rel": "replace", "method": "PUT"}]
        return body

    def to_order(self, base: str) -> dict[str, Any]:
        return {
            "id": self.id, "status": self.status, "items": self.items,
            "links": [{"href": f"{base}/v2/checkout/orders/{self.order_id}/trackers/{self.id}", "rel": "update",
                       "method": "PATCH"}],
            "create_time": self.created, "update_time": self.updated,
        }

    def to_admin(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in ("id", "transaction_id", "tracking_number", "status", "carrier",
                                               "carrier_name_other", "shipment_date", "order_id", "updates")}


class PayPalState:
    """Everything the PayPal sandbox knows."""

    def __init__(self, apps: Mapping[str, str] | None = None, *, demo: bool = False,
                 wall_clock: Callable[[], float] = time.time) -> None:
        self._wall = wall_clock
        self.offset_s = 0.0
        self.log = RequestLog()
        self.faults = FaultInjector(fault_body)
        self.token_ttl_s = DEFAULT_TOKEN_TTL_S
        self.max_tracker_updates = DEFAULT_MAX_TRACKER_UPDATES
        self.apps: dict[str, App] = {}
        self.tokens: dict[str, tuple[str, float]] = {}
        self.trackers: dict[tuple[str, str], Tracker] = {}  # (client id, tracker id)
        self.idempotency: dict[tuple[str, str], tuple[int, Any]] = {}
        self.tokens_issued = 0
        self._demo = demo
        if demo:
            self.add_app(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_TRANSACTIONS, orders=DEMO_ORDERS)
            self.add_app(DOCS_CLIENT_ID, DOCS_CLIENT_SECRET, DEMO_TRANSACTIONS, orders=DEMO_ORDERS)
            self._docs_token()
        for client_id, secret in (apps or {}).items():
            self.add_app(client_id, secret)
        self._initial = {k: a.copy() for k, a in self.apps.items()}

    def reset(self) -> None:
        self.apps = {k: a.copy() for k, a in self._initial.items()}
        self.tokens.clear()
        self.trackers.clear()
        self.idempotency.clear()
        self.log.clear()
        self.faults.reset()
        self.offset_s = 0.0
        self.token_ttl_s = DEFAULT_TOKEN_TTL_S
        self.max_tracker_updates = DEFAULT_MAX_TRACKER_UPDATES
        self.tokens_issued = 0
        if self._demo:
            self._docs_token()

    def _docs_token(self) -> None:
        """The docs' example bearer token: the demo app's, never expiring."""
        self.tokens[DOCS_ACCESS_TOKEN] = (DEMO_CLIENT_ID, float("inf"))

    def now(self) -> float:
        return self._wall() + self.offset_s

    def iso_now(self) -> str:
        return datetime.fromtimestamp(self.now(), tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def advance(self, seconds: float) -> float:
        self.offset_s += seconds
        return self.now()

    def add_app(self, client_id: str, client_secret: str, transactions: Iterable[str] = (), *,
                accept_any_transaction: bool = False,
                orders: Mapping[str, Iterable[str] | Mapping[str, str]] | None = None) -> App:
        if not client_id or not client_secret:
            raise ValueError("client_id and client_secret are required")
        app = self.apps.get(client_id)
        if app is None or app.client_secret != client_secret:
            app = App(client_id, client_secret)
            self.apps[client_id] = app
        app.transactions.update(transactions)
        app.accept_any_transaction = app.accept_any_transaction or accept_any_transaction
        for order_id, captures in (orders or {}).items():
            statuses = dict(captures) if isinstance(captures, Mapping) else {c: "COMPLETED" for c in captures}
            app.orders.setdefault(order_id, {}).update(statuses)
        return app

    def check_credentials(self, client_id: str, client_secret: str) -> App | None:
        app = self.apps.get(client_id)
        if app is None or not secrets.compare_digest(app.client_secret.encode(), client_secret.encode()):
            return None
        return app

    def issue_token(self, app: App) -> tuple[str, int]:
        token = "A21AA" + secrets.token_urlsafe(48)
        self.tokens[token] = (app.client_id, self.now() + self.token_ttl_s)
        self.tokens_issued += 1
        return token, max(1, int(self.token_ttl_s))

    def token_app(self, token: str) -> tuple[App | None, str]:
        """The app a bearer token belongs to, or None with the reason ("missing", "expired")."""
        entry = self.tokens.get(token)
        if entry is None:
            return None, "missing"
        client_id, expires_at = entry
        if self.now() >= expires_at:
            return None, "expired"
        return self.apps.get(client_id), ""

    def expire_tokens(self) -> int:
        """Expire every issued token (the docs' example token stays valid)."""
        issued = {t: (c, 0.0) for t, (c, _) in self.tokens.items() if t != DOCS_ACCESS_TOKEN}
        self.tokens.update(issued)
        return len(issued)

    def tracker(self, client_id: str, tracker_id: str) -> Tracker | None:
        return self.trackers.get((client_id, tracker_id))

    def put_tracker(self, client_id: str, tracker: Tracker) -> None:
        self.trackers[(client_id, tracker.id)] = tracker

    def trackers_of(self, client_id: str) -> list[Tracker]:
        return [t for (c, _), t in self.trackers.items() if c == client_id]
