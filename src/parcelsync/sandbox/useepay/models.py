"""UseePay sandbox state: merchants and their payment intents, trackers per intent, log and faults."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from parcelsync.sandbox.faults import FaultInjector
from parcelsync.sandbox.recorder import RequestLog
from parcelsync.sandbox.useepay.errors import fault_body, unauthorized

# The credentials and payment intents that appear in the seed's own request and response examples,
# so the documented curl works against a freshly started sandbox.
DEMO_MERCHANT_NO = "500000000007245"
DEMO_APP_ID = "www.pay.com"
DEMO_API_KEY = "FUYTIUvjhgfytfuytwiue"
DEMO_PAYMENT_INTENTS = ("1012601291730245786", "1012601291730245787", "1012601151754028903", "1012601151834028921")

Clock = Callable[[], datetime]


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class MerchantAccount:
    """A UseePay merchant: credentials, known payment intents, and the demo switch to accept any."""

    merchant_no: str
    app_id: str
    api_key: str = field(repr=False)
    payment_intents: set[str] = field(default_factory=set)
    accept_any_payment_intent: bool = False

    def knows(self, payment_intent_id: str) -> bool:
        return self.accept_any_payment_intent or payment_intent_id in self.payment_intents

    def public(self) -> dict[str, Any]:
        """The account as the admin API shows it: never the key."""
        return {
            "merchant_no": self.merchant_no,
            "app_id": self.app_id,
            "payment_intents": len(self.payment_intents),
            "accept_any_payment_intent": self.accept_any_payment_intent,
        }

    def copy(self) -> MerchantAccount:
        return MerchantAccount(
            self.merchant_no, self.app_id, self.api_key, set(self.payment_intents), self.accept_any_payment_intent
        )


@dataclass(frozen=True, slots=True)
class StoredTracker:
    """The last accepted tracker of one (merchant, payment intent); `writes` counts the uploads."""

    merchant_no: str
    payment_intent_id: str
    shipments: tuple[dict[str, Any], ...]
    created_at: datetime
    updated_at: datetime
    writes: int = 1

    def to_entry(self) -> dict[str, Any]:
        """As a `data.accepted` item echoes it (key order as in the seed's response example)."""
        return {"shipments": [dict(s) for s in self.shipments], "payment_intent_id": self.payment_intent_id}

    def to_api(self) -> dict[str, Any]:
        """As "Retrieve a tracker" returns it (unconfirmed shape: the upload entry plus timestamps)."""
        return {
            **self.to_entry(),
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }

    def to_admin(self) -> dict[str, Any]:
        return {"merchant_no": self.merchant_no, **self.to_api(), "writes": self.writes}


class UseePayState:
    """Everything the UseePay sandbox knows. `reset()` returns it to how it was constructed."""

    def __init__(
        self,
        merchants: Mapping[str, tuple[str, str]] | None = None,
        *,
        payment_intents: Mapping[str, Iterable[str]] | None = None,
        accept_any_payment_intent: Iterable[str] = (),
        demo: bool = False,
        clock: Clock = _utcnow,
    ) -> None:
        self.clock = clock
        self.log = RequestLog()
        self.faults = FaultInjector(fault_body)
        self.merchants: dict[str, MerchantAccount] = {}
        self.trackers: dict[tuple[str, str], StoredTracker] = {}
        if demo:
            self.add_merchant(DEMO_MERCHANT_NO, DEMO_APP_ID, DEMO_API_KEY, DEMO_PAYMENT_INTENTS)
        any_intent = set(accept_any_payment_intent)
        intents = payment_intents or {}
        for merchant_no, (app_id, api_key) in (merchants or {}).items():
            self.add_merchant(
                merchant_no, app_id, api_key, intents.get(merchant_no, ()), merchant_no in any_intent
            )
        self._initial = {no: account.copy() for no, account in self.merchants.items()}

    def reset(self) -> None:
        """Back to the constructed merchants: no trackers, an empty request log, no faults."""
        self.merchants = {no: account.copy() for no, account in self._initial.items()}
        self.trackers.clear()
        self.log.clear()
        self.faults.reset()

    def add_merchant(
        self,
        merchant_no: str,
        app_id: str,
        api_key: str,
        payment_intents: Iterable[str] = (),
        accept_any_payment_intent: bool = False,
    ) -> MerchantAccount:
        """Create or replace a merchant account; its stored trackers are kept."""
        if not merchant_no or not app_id or not api_key:
            raise ValueError("merchant_no, app_id and api_key are required")
        account = MerchantAccount(merchant_no, app_id, api_key, set(payment_intents), accept_any_payment_intent)
        self.merchants[merchant_no] = account
        return account

    def add_payment_intents(self, merchant_no: str, ids: Iterable[str]) -> MerchantAccount:
        """Make payment intents known to a merchant (KeyError when the merchant does not exist)."""
        account = self.merchants[merchant_no]
        account.payment_intents.update(i for i in ids if i)
        return account

    def authenticate(self, merchant_no: str | None, app_id: str | None, api_key: str | None) -> MerchantAccount:
        """The merchant the three credential headers identify, or a 401 `UseePayApiError`."""
        for name, value in (("x-merchant-no", merchant_no), ("x-app-id", app_id), ("x-api-key", api_key)):
            if not value:
                raise unauthorized(name, f"Missing required header: {name}", missing=True)
        account = self.merchants.get(merchant_no or "")
        if account is None:
            raise unauthorized("x-merchant-no", "Invalid merchant number")
        if not secrets.compare_digest(account.app_id.encode(), (app_id or "").encode()):
            raise unauthorized("x-app-id", "The app id is not approved for this merchant")
        if not secrets.compare_digest(account.api_key.encode(), (api_key or "").encode()):
            raise unauthorized("x-api-key", "Invalid API key provided")
        return account

    def upsert_tracker(
        self, merchant_no: str, payment_intent_id: str, shipments: Iterable[Mapping[str, Any]]
    ) -> StoredTracker:
        """Store a tracker, replacing the previous one of the same intent (last write wins)."""
        now = self.clock()
        key = (merchant_no, payment_intent_id)
        previous = self.trackers.get(key)
        stored = StoredTracker(
            merchant_no,
            payment_intent_id,
            tuple(dict(s) for s in shipments),
            created_at=previous.created_at if previous else now,
            updated_at=now,
            writes=previous.writes + 1 if previous else 1,
        )
        self.trackers[key] = stored
        return stored

    def tracker(self, merchant_no: str, payment_intent_id: str) -> StoredTracker | None:
        return self.trackers.get((merchant_no, payment_intent_id))

    def all_trackers(self, merchant_no: str | None = None) -> list[StoredTracker]:
        return [t for t in self.trackers.values() if merchant_no is None or t.merchant_no == merchant_no]
