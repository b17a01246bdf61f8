"""TrackingMore sandbox state: accounts per API key, their trackings, a simulated clock, request log and faults.

Trackings move along a journey planned from the state's seed (see `simulation`); `advance()`
moves the clock and returns the status changes, which `webhooks` pushes to each account's URL.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from parcelsync.sandbox.recorder import RequestLog
from parcelsync.sandbox.trackingmore.carriers import CarrierBook, load_carriers
from parcelsync.sandbox.trackingmore.errors import TrackingMoreError
from parcelsync.sandbox.trackingmore.faults import TrackingMoreFaultInjector
from parcelsync.sandbox.trackingmore.simulation import EXPIRE_AFTER_S, PlannedEvent, plan_journey

DEFAULT_API_KEY = "tm-sandbox-key"
DEFAULT_EMAIL = "sandbox@parcelsync.test"
# The seed's own placeholder key (`Trackingmore-Api-Key: YOUR_API_KEY`): with the default account on,
# it is a second account, so the documented request works verbatim against a fresh sandbox.
SEED_API_KEY = "YOUR_API_KEY"
DEFAULT_QUOTA = 100_000
NUMBER = re.compile(r"^[A-Za-z0-9-]{4,50}$")
COUNTRY = re.compile(r"^[A-Za-z]{2}$")
TEXT_FIELDS = (
    "title", "logistics_channel", "customer_name", "customer_email", "customer_phone", "order_id",
    "order_create_time", "tracking_postal_code", "tracking_account_number", "lang",
)
STATUSES = ("pending", "notfound", "transit", "pickup", "delivered", "undelivered", "exception", "expired")
MILESTONES = ("ItemReceived", "ItemDispatched", "DepartfromAirport", "ArrivalfromAbroad", "CustomsClearance",
              "DestinationArrived")


def fmt(ts: float) -> str:
    """TrackingMore's scan-time format."""
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%d %H:%M:%S")


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).isoformat(timespec="seconds")


@dataclass
class TrackingRecord:
    """One tracking as the sandbox keeps it."""

    id: str
    tracking_number: str
    carrier_code: str
    created_at: float
    updated_at: float
    fields: dict[str, str]
    plan: tuple[PlannedEvent, ...]
    original_country: str
    applied: int = 0
    journey_status: str = "pending"
    journey_substatus: str | None = None
    override: str | None = None
    archived: str = "false"
    stopped: bool = False

    @property
    def status(self) -> str:
        return self.override or self.journey_status

    @property
    def substatus(self) -> str | None:
        return None if self.override else self.journey_substatus

    @property
    def events(self) -> tuple[PlannedEvent, ...]:
        return self.plan[: self.applied]

    def catch_up(self, now: float) -> bool:
        """Apply every planned scan due by `now`; True when the reported status changed."""
        before = (self.status, self.substatus)
        while not self.stopped and self.applied < len(self.plan):
            event = self.plan[self.applied]
            if self.created_at + event.offset_s > now:
                break
            self.applied += 1
            self.journey_status, self.journey_substatus = event.status, event.substatus
            self.updated_at = self.created_at + event.offset_s
        return (self.status, self.substatus) != before

    def to_api(self) -> dict[str, Any]:
        """The v2 tracking object."""
        infos: dict[str, dict[str, Any]] = {}
        for side in ("origin", "destination"):
            info: dict[str, Any] = {m: None for m in MILESTONES}
            info.update({"weblink": None, "phone": None, "carrier_code": self.carrier_code, "trackinfo": []})
            infos[side] = info
        for event in self.events:
            when = fmt(self.created_at + event.offset_s)
            if event.milestone:
                infos[event.side][event.milestone] = when
            infos[event.side]["trackinfo"].insert(0, {
                "Date": when, "StatusDescription": event.description, "Details": event.location,
                "checkpoint_status": event.status, "substatus": event.substatus,
            })
        last = self.events[-1] if self.events else None
        last_time = self.created_at + last.offset_s if last else None
        return {
            "id": self.id,
            "tracking_number": self.tracking_number,
            "carrier_code": self.carrier_code,
            "status": self.status,
            "substatus": self.substatus,
            "created_at": iso(self.created_at),
            "updated_at": iso(self.updated_at),
            "order_create_time": self.fields.get("order_create_time"),
            "title": self.fields.get("title"),
            "logistics_channel": self.fields.get("logistics_channel"),
            "order_id": self.fields.get("order_id"),
            "customer_name": self.fields.get("customer_name"),
            "customer_email": self.fields.get("customer_email"),
            "customer_phone": self.fields.get("customer_phone"),
            "destination_code": self.fields.get("destination_code"),
            "original_country": self.original_country,
            "destination_country": self.fields.get("destination_code"),
            "archived": self.archived,
            "lastEvent": f"{last.description},{last.location},{fmt(last_time)}" if last and last_time else None,
            "lastUpdateTime": fmt(last_time) if last_time else None,
            "itemTimeLength": int((last_time - self.created_at) // 86400) if last_time else None,
            "stayTimeLength": None,
            "origin_info": infos["origin"],
            "destination_info": infos["destination"],
        }


@dataclass
class Account:
    """One TrackingMore account: its key, email (webhook signing key), webhook URL, quota and trackings."""

    api_key: str
    email: str
    webhook_url: str | None = None
    quota: int = DEFAULT_QUOTA
    trackings: dict[tuple[str, str], TrackingRecord] = field(default_factory=dict)
    hits: dict[str, deque[float]] = field(default_factory=dict)

    def find(self, carrier_code: str, number: str) -> TrackingRecord:
        record = self.trackings.get((carrier_code.strip().lower(), number.strip()))
        if record is None:
            raise TrackingMoreError(4017)
        return record


@dataclass(frozen=True, slots=True)
class StatusChange:
    """A tracking whose reported status changed while the clock moved."""

    api_key: str
    tracking: dict[str, Any]


class TrackingMoreState:
    """Everything the sandbox knows; `reset()` brings it back to a fresh start."""

    def __init__(
        self,
        *,
        seed: int = 0,
        start: float | None = None,
        rate_limits: bool = False,
        default_account: bool = True,
        carriers: CarrierBook | None = None,
    ) -> None:
        self.seed = seed
        self._start = start
        self._default_account = default_account
        self._default_rate_limits = rate_limits
        self.carriers = carriers or load_carriers()
        self.log = RequestLog()
        self.faults = TrackingMoreFaultInjector()
        self.webhook_deliveries: list[dict[str, Any]] = []
        self.reset()

    def reset(self) -> None:
        self.now = self._start if self._start is not None else time.time()
        self.rate_limits = self._default_rate_limits
        self.accounts: dict[str, Account] = {}
        self.log.clear()
        self.faults.reset()
        self.webhook_deliveries.clear()
        if self._default_account:
            self.add_account(DEFAULT_API_KEY, DEFAULT_EMAIL)
            self.add_account(SEED_API_KEY, DEFAULT_EMAIL)

    # -- accounts -----------------------------------------------------------------------------

    def add_account(
        self, api_key: str, email: str, webhook_url: str | None = None, quota: int = DEFAULT_QUOTA
    ) -> Account:
        """Create or replace an account (its trackings are kept when it already exists)."""
        existing = self.accounts.get(api_key)
        account = Account(api_key, email, webhook_url, quota, existing.trackings if existing else {})
        self.accounts[api_key] = account
        return account

    def authenticate(self, api_key: str | None) -> Account:
        account = self.accounts.get(api_key or "")
        if account is None:
            raise TrackingMoreError(4001)
        return account

    def allow(self, account: Account, bucket: str, per_second: int) -> bool:
        """Sliding one-second window per account and endpoint group; always True when limits are off."""
        if not self.rate_limits:
            return True
        hits = account.hits.setdefault(bucket, deque())
        now = time.monotonic()
        while hits and now - hits[0] >= 1.0:
            hits.popleft()
        if len(hits) >= per_second:
            return False
        hits.append(now)
        return True

    # -- validation ---------------------------------------------------------------------------

    def clean_fields(self, payload: dict[str, Any], names: tuple[str, ...] = TEXT_FIELDS) -> dict[str, str]:
        """Documented optional fields as text; a wrong type or format is 4012."""
        cleaned: dict[str, str] = {}
        for name in (*names, "destination_code", "tracking_ship_date"):
            value = payload.get(name)
            if value is None or value == "":
                continue
            if not isinstance(value, str | int | float) or isinstance(value, bool):
                raise TrackingMoreError(4012, f"The value of `{name}` is invalid.")
            cleaned[name] = str(value).strip()
        if "destination_code" in cleaned and not COUNTRY.match(cleaned["destination_code"]):
            raise TrackingMoreError(4012, "The value of `destination_code` is invalid.")
        if "tracking_ship_date" in cleaned:
            try:
                date(int(cleaned["tracking_ship_date"][:4]), int(cleaned["tracking_ship_date"][4:6]),
                     int(cleaned["tracking_ship_date"][6:8]))
                ok = len(cleaned["tracking_ship_date"]) == 8 and cleaned["tracking_ship_date"].isdigit()
            except ValueError:
                ok = False
            if not ok:
                raise TrackingMoreError(4012, "The value of `tracking_ship_date` is invalid (YYYYMMDD).")
        return cleaned

    def key_of(self, payload: Any) -> tuple[str, str]:
        """(carrier_code, tracking_number) of a request item; 4013/4014/4015 as documented."""
        if not isinstance(payload, dict):
            raise TrackingMoreError(4012)
        number = payload.get("tracking_number")
        if number is None or (isinstance(number, str) and not number.strip()):
            raise TrackingMoreError(4013)
        if not isinstance(number, str | int) or not NUMBER.match(str(number).strip()):
            raise TrackingMoreError(4014)
        carrier = payload.get("carrier_code")
        if not isinstance(carrier, str) or self.carriers.get(carrier) is None:
            raise TrackingMoreError(4015)
        return carrier.strip().lower(), str(number).strip()

    # -- operations -----------------------------------------------------------------------------

    def create(self, account: Account, payload: Any) -> TrackingRecord:
        """Register one tracking (POST /trackings/post, one batch item, realtime on a new number)."""
        carrier, number = self.key_of(payload)
        fields = self.clean_fields(payload)
        if (carrier, number) in account.trackings:
            raise TrackingMoreError(4016)
        if account.quota <= 0:
            raise TrackingMoreError(4021)
        account.quota -= 1
        origin = self.carriers.get(carrier).country_code  # type: ignore[union-attr]
        destination = fields.get("destination_code", "").upper()
        if destination:
            fields["destination_code"] = destination
        digest = hashlib.md5(f"{account.api_key}:{carrier}:{number}:{self.now}".encode()).hexdigest()
        record = TrackingRecord(
            id=digest, tracking_number=number, carrier_code=carrier, created_at=self.now, updated_at=self.now,
            fields=fields, plan=plan_journey(self.seed, carrier, number, origin, destination),
            original_country=origin,
        )
        account.trackings[(carrier, number)] = record
        return record

    def update(self, record: TrackingRecord, payload: Any) -> dict[str, Any]:
        """PUT / updatemore: change fields, archive flag and status (4, 7 or 8 only); echo what changed."""
        if not isinstance(payload, dict):
            raise TrackingMoreError(4012)
        names = ("title", "logistics_channel", "customer_name", "customer_email", "customer_phone", "order_id")
        fields = self.clean_fields(payload, names)
        changed: dict[str, Any] = dict(fields)
        if "archived" in payload:
            archived = str(payload["archived"]).strip().lower()
            if archived not in ("true", "false"):
                raise TrackingMoreError(4012, "The value of `archived` is invalid.")
            record.archived = changed["archived"] = archived
        if payload.get("status") is not None:
            status = str(payload["status"]).strip()
            if status not in ("4", "7", "8"):
                raise TrackingMoreError(4033)
            record.override = {"4": "delivered", "7": "exception", "8": None}[status]
            changed["status"] = status
        if "destination_code" in fields:
            fields["destination_code"] = changed["destination_code"] = fields["destination_code"].upper()
        record.fields.update(fields)
        record.updated_at = self.now
        return {
            "id": record.id, "tracking_number": record.tracking_number, "carrier_code": record.carrier_code,
            "created_at": iso(record.created_at), "updated_at": iso(record.updated_at), **changed,
        }

    def change_carrier(self, account: Account, payload: Any) -> TrackingRecord:
        carrier, number = self.key_of(payload)
        record = account.find(carrier, number)
        new = payload.get("update_carrier_code")
        if not isinstance(new, str) or self.carriers.get(new) is None:
            raise TrackingMoreError(4015, "The value of `update_carrier_code` is invalid.")
        new = new.strip().lower()
        if (new, number) in account.trackings and new != carrier:
            raise TrackingMoreError(4016)
        del account.trackings[(carrier, number)]
        record.carrier_code = new
        record.plan = plan_journey(self.seed, new, number, record.original_country,
                                   record.fields.get("destination_code", ""))
        record.applied, record.journey_status, record.journey_substatus = 0, "pending", None
        record.catch_up(self.now)
        record.updated_at = self.now
        account.trackings[(new, number)] = record
        return record

    def listing(self, account: Account, filters: dict[str, str]) -> list[TrackingRecord]:
        """Trackings matching GET /trackings/get filters, in registration order."""
        def number(name: str) -> float | None:
            value = filters.get(name)
            if value in (None, ""):
                return None
            try:
                return float(value)
            except ValueError:
                raise TrackingMoreError(4012, f"The value of `{name}` is invalid.") from None

        status = (filters.get("status") or "").strip().lower()
        if status and status not in STATUSES:
            raise TrackingMoreError(4033)
        numbers = {n.strip() for n in (filters.get("numbers") or "").split(",") if n.strip()}
        orders = {o.strip() for o in (filters.get("orders") or "").split(",") if o.strip()}
        bounds = {k: number(k) for k in ("created_at_min", "created_at_max", "update_time_min", "update_time_max",
                                         "order_created_time_min", "order_created_time_max")}
        out = []
        for record in account.trackings.values():
            if status and record.status != status:
                continue
            if numbers and record.tracking_number not in numbers:
                continue
            if orders and record.fields.get("order_id") not in orders:
                continue
            if not _within(record.created_at, bounds["created_at_min"], bounds["created_at_max"]):
                continue
            if not _within(record.updated_at, bounds["update_time_min"], bounds["update_time_max"]):
                continue
            if bounds["order_created_time_min"] is not None or bounds["order_created_time_max"] is not None:
                created = _order_time(record.fields.get("order_create_time"))
                if created is None or not _within(created, bounds["order_created_time_min"],
                                                  bounds["order_created_time_max"]):
                    continue
            out.append(record)
        return out

    def advance(self, seconds: float) -> list[StatusChange]:
        """Move the clock; every tracking catches up; returns the reported-status changes."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        self.now += seconds
        changes: list[StatusChange] = []
        for account in self.accounts.values():
            for record in account.trackings.values():
                if record.catch_up(self.now):
                    changes.append(StatusChange(account.api_key, record.to_api()))
        return changes


def _within(value: float, low: float | None, high: float | None) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)


def _order_time(value: str | None) -> float | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("/", "-"))
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()


__all__ = ["EXPIRE_AFTER_S", "Account", "StatusChange", "TrackingMoreState", "TrackingRecord"]
