"""Status intake, an optional connector capability: the provider pushes (webhooks) or is asked (polling).

The generic half (finding the shipment, storing status and checkpoints, de-duplicating
deliveries, the poll cursor) lives in `sync/statuses.py`; a connector supplies only what is
provider-specific: how a webhook is verified and parsed, and how one page of updates is read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, runtime_checkable

from parcelsync.domain.status import DeliveryStatus


class WebhookInvalid(Exception):
    """The webhook is not signed for this account, is too old, or cannot be read."""


class StatusCheckpoint(Protocol):
    @property
    def time(self) -> datetime: ...
    @property
    def description(self) -> str: ...
    @property
    def location(self) -> str | None: ...
    @property
    def status(self) -> DeliveryStatus | None: ...


class StatusUpdate(Protocol):
    """What a provider says about one parcel, in domain terms."""

    @property
    def tracking_number(self) -> str: ...
    @property
    def carrier_code(self) -> str: ...
    @property
    def status(self) -> DeliveryStatus: ...
    @property
    def substatus(self) -> str | None: ...
    @property
    def last_event(self) -> str | None: ...
    @property
    def delivered_at(self) -> datetime | None: ...
    @property
    def checkpoints(self) -> Sequence[StatusCheckpoint]: ...


@dataclass(frozen=True, slots=True)
class UpdatePage:
    """One page of polled updates; `seen` is the provider's own newest update time on it (the poll cursor)."""

    items: Sequence[StatusUpdate]
    has_more: bool
    seen: datetime | None


@dataclass(frozen=True, slots=True)
class ParsedWebhook:
    update: StatusUpdate
    delivery_key: str
    """Equal for redeliveries of the same state (signature and timestamps may differ)."""
    replay_key: str | None = None
    """Where the provider's signature does not cover the body (TrackingMore v2 signs only a timestamp):
    equal for every webhook carrying the same signature, which is then accepted once."""


class StatusIntake(Protocol):
    """Webhook verification and parsing, and polling, for one provider."""

    def verify_and_parse(
        self, body: bytes, credentials: Mapping[str, str], *, max_age_s: float, now: float,
        headers: Mapping[str, str] | None = None,
    ) -> ParsedWebhook:
        """The update a webhook carries (its signature in the body or in `headers`); raises WebhookInvalid
        when it is not genuine."""
        ...

    def wants_polling(self, options: Mapping[str, Any]) -> bool:
        """Whether a connection with these options is polled instead of receiving webhooks."""
        ...

    async def poll_page(self, client: object, *, page: int, limit: int, since: datetime | None) -> UpdatePage: ...


@runtime_checkable
class FetchingIntake(Protocol):
    """An intake that can treat a webhook as a mere trigger: the trackings it names are fetched from the
    provider (with the connection's client, through the polling code) and that state is applied, never the
    webhook's own data. Worth it where the provider's signature does not cover the body."""

    def wants_fetch(self, options: Mapping[str, Any]) -> bool:
        """Whether a connection with these options applies fetched state instead of the webhook's data."""
        ...

    async def fetch_named(self, client: object, named: StatusUpdate) -> Sequence[StatusUpdate]:
        """The provider's current state of the tracking a webhook names (`named` is only its identity)."""
        ...
