"""AfterShip sandbox state: accounts (API key, webhook URL and secret), trackings, clock, rate windows."""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from parcelsync.sandbox.aftership.couriers import BY_SLUG
from parcelsync.sandbox.aftership.errors import fault_body
from parcelsync.sandbox.aftership.simulation import PlannedCheckpoint, plan_journey
from parcelsync.sandbox.faults import FaultInjector
from parcelsync.sandbox.recorder import RequestLog

DEMO_API_KEY = "asat_3f8a1c9e0b7d4e2f9a6c5b8d1e0f7a2c"
DOCS_API_KEY = "your aftership api key"  # the placeholder of the docs' own curl examples
DEMO_WEBHOOK_SECRET = "2e55b9a3-4dd1-4416-9897-c4bd1e3d738f"
RATE_LIMITS: dict[str, int] = {
    "create": 20, "list": 6, "get": 5, "update": 5, "delete": 5, "retrack": 5, "mark_completed": 5,
    "detect": 3, "couriers": 5, "couriers_all": 5,
}


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


@dataclass
class TrackingRecord:
    """One tracking and its planned journey; `revealed` checkpoints are those the clock has passed."""

    id: str
    tracking_number: str
    slug: str
    created_at: float
    fields: dict[str, Any]
    plan: tuple[PlannedCheckpoint, ...]
    updated_at: float = 0.0
    revealed: int = 0
    active: bool = True
    retracked: bool = False
    completed_reason: str | None = None

    @property
    def checkpoints(self) -> list[PlannedCheckpoint]:
        return list(self.plan[: self.revealed])

    def tag(self) -> tuple[str, str, str]:
        if self.completed_reason == "DELIVERED":
            return "Delivered", "Delivered_001", "Shipment delivered successfully"
        if self.completed_reason in ("LOST", "RETURNED_TO_SENDER"):
            sub = "Exception_007" if self.completed_reason == "LOST" else "Exception_010"
            return "Exception", sub, self.completed_reason.replace("_", " ").title()
        if not self.revealed:
            return "Pending", "Pending_001", "No information yet on the shipment"
        last = self.plan[self.revealed - 1]
        return last.tag, last.subtag, last.message

    def to_api(self) -> dict[str, Any]:
        tag, subtag, subtag_message = self.tag()
        courier = BY_SLUG.get(self.slug)
        delivered = next((self.created_at + c.offset_s for c in reversed(self.checkpoints) if c.tag == "Delivered"),
                         None)
        return {
            "id": self.id, "legacy_id": self.id, "created_at": iso(self.created_at),
            "updated_at": iso(self.updated_at or self.created_at), "tracking_number": self.tracking_number,
            "slug": self.slug, "active": self.active, "custom_fields": self.fields.get("custom_fields"),
            "customers": self.fields.get("customers", []), "note": self.fields.get("note"),
            "order_id": self.fields.get("order_id"), "order_id_path": self.fields.get("order_id_path"),
            "order_number": self.fields.get("order_number"), "title": self.fields.get("title") or self.tracking_number,
            "language": self.fields.get("language"), "source": "api", "tag": tag, "subtag": subtag,
            "subtag_message": subtag_message, "tracked_count": self.revealed + 1, "return_to_sender": False,
            "shipment_delivery_date": iso(delivered) if delivered else None,
            "origin_country_region": courier.country_iso3 if courier else None,
            "tracking_ship_date": self.fields.get("tracking_ship_date"),
            "tracking_postal_code": self.fields.get("tracking_postal_code"),
            "checkpoints": [
                {"created_at": iso(self.created_at + c.offset_s), "slug": self.slug,
                 "checkpoint_time": iso(self.created_at + c.offset_s), "location": None, "city": c.city,
                 "state": c.state, "postal_code": None, "country_region": c.country_iso3, "message": c.message,
                 "tag": c.tag, "subtag": c.subtag, "subtag_message": c.message, "raw_tag": c.subtag,
                 "hash": f"{self.id}-{i}"}
                for i, c in enumerate(self.checkpoints)
            ],
        }


@dataclass
class Account:
    api_key: str = field(repr=False)
    webhook_url: str | None = None
    webhook_secret: str = field(default=DEMO_WEBHOOK_SECRET, repr=False)
    trackings: dict[str, TrackingRecord] = field(default_factory=dict)

    def by_number(self, slug: str, number: str) -> TrackingRecord | None:
        return next((t for t in self.trackings.values() if t.slug == slug and t.tracking_number == number), None)


@dataclass(frozen=True, slots=True)
class TagChange:
    api_key: str
    tracking: dict[str, Any]
    first_of_tag: bool


class AfterShipState:
    """Everything the AfterShip sandbox knows; `reset()` returns it to how it was constructed."""

    def __init__(self, accounts: dict[str, str | None] | None = None, *, demo: bool = True, seed: int = 7,
                 wall_clock: Callable[[], float] = time.time) -> None:
        self.seed = seed
        self._wall = wall_clock
        self.start = wall_clock()
        self.offset_s = 0.0
        self.rate_limits = True
        self.log = RequestLog()
        self.faults = FaultInjector(fault_body)
        self.webhook_deliveries: list[dict[str, Any]] = []
        self._windows: dict[tuple[str, str], tuple[int, int]] = {}
        self._initial = dict(accounts or {})
        self._demo = demo
        self.accounts: dict[str, Account] = {}
        self.reset()

    def reset(self) -> None:
        self.accounts = {}
        if self._demo:
            self.add_account(DEMO_API_KEY)
            self.add_account(DOCS_API_KEY)
        for key, url in self._initial.items():
            self.add_account(key, url)
        self.offset_s = 0.0
        self.rate_limits = True
        self.log.clear()
        self.faults.reset()
        self.webhook_deliveries.clear()
        self._windows.clear()

    def now(self) -> float:
        return self.start + self.offset_s + (self._wall() - self.start)

    def add_account(self, api_key: str, webhook_url: str | None = None,
                    webhook_secret: str = DEMO_WEBHOOK_SECRET) -> Account:
        if not api_key:
            raise ValueError("api_key is required")
        account = self.accounts.get(api_key) or Account(api_key)
        account.webhook_url, account.webhook_secret = webhook_url, webhook_secret
        self.accounts[api_key] = account
        return account

    def authenticate(self, api_key: str | None) -> Account | None:
        for key, account in self.accounts.items():
            if api_key and secrets.compare_digest(key.encode(), api_key.encode()):
                return account
        return None

    def take(self, api_key: str, endpoint: str) -> tuple[bool, dict[str, str]]:
        """Count one request in the endpoint's one-second window: (allowed, X-RateLimit-* headers)."""
        limit = RATE_LIMITS[endpoint]
        second = int(self._wall())
        window, used = self._windows.get((api_key, endpoint), (second, 0))
        if window != second:
            window, used = second, 0
        allowed = not self.rate_limits or used < limit
        if allowed:
            used += 1
        self._windows[(api_key, endpoint)] = (window, used)
        return allowed, {"X-RateLimit-Limit": str(limit), "X-RateLimit-Remaining": str(max(0, limit - used)),
                         "X-RateLimit-Reset": str(window + 1)}

    def create(self, account: Account, number: str, slug: str, fields: dict[str, Any]) -> TrackingRecord:
        now = self.now()
        record = TrackingRecord(secrets.token_hex(12), number, slug, now, fields,
                                plan_journey(self.seed, slug, number), updated_at=now)
        account.trackings[record.id] = record
        self._reveal(record, now)
        return record

    def _reveal(self, record: TrackingRecord, now: float) -> list[str]:
        """Reveal due checkpoints; returns the tags newly reached (in order)."""
        tags: list[str] = []
        while record.active and record.revealed < len(record.plan) and \
                record.created_at + record.plan[record.revealed].offset_s <= now:
            record.revealed += 1
            record.updated_at = record.created_at + record.plan[record.revealed - 1].offset_s
            tags.append(record.plan[record.revealed - 1].tag)
            if tags[-1] in ("Delivered", "Expired"):
                record.active = False
        return tags

    def advance(self, seconds: float) -> list[TagChange]:
        """Move the clock; every tracking whose tag changed yields one change (its latest state)."""
        self.offset_s += seconds
        now = self.now()
        changes: list[TagChange] = []
        for account in self.accounts.values():
            for record in account.trackings.values():
                before = record.tag()[0]
                seen_tags = {c.tag for c in record.checkpoints}
                new_tags = self._reveal(record, now)
                if new_tags and record.tag()[0] != before:
                    changes.append(TagChange(account.api_key, record.to_api(), record.tag()[0] not in seen_tags))
        return changes
