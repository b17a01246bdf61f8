"""AfterShip status intake: webhooks signed with `aftership-hmac-sha256`, and polling `GET /trackings`."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from parcelsync.connectors.intake import ParsedWebhook, StatusCheckpoint, UpdatePage, WebhookInvalid
from parcelsync.domain.status import DeliveryStatus
from parcelsync.providers.aftership.client import AfterShipClient
from parcelsync.providers.aftership.mapping import TrackingUpdate
from parcelsync.providers.aftership.webhook import WebhookVerificationError, receive_webhook

SIGNATURE_HEADER = "aftership-hmac-sha256"
POLL_PAGE_LIMIT = 200


@dataclass(frozen=True, slots=True)
class AfterShipUpdate:
    """An AfterShip tracking in the terms status intake stores (slug as the carrier code, subtag as substatus)."""

    tracking: TrackingUpdate

    @property
    def tracking_number(self) -> str:
        return self.tracking.tracking_number

    @property
    def carrier_code(self) -> str:
        return self.tracking.slug

    @property
    def status(self) -> DeliveryStatus:
        return self.tracking.status

    @property
    def substatus(self) -> str | None:
        return self.tracking.subtag

    @property
    def last_event(self) -> str | None:
        return self.tracking.last_event

    @property
    def delivered_at(self) -> datetime | None:
        return self.tracking.delivered_at

    @property
    def checkpoints(self) -> Sequence[StatusCheckpoint]:
        return self.tracking.checkpoints

    @property
    def last_update_time(self) -> datetime | None:
        return self.tracking.last_update_time

    @property
    def expected_delivery(self) -> datetime | None:
        return self.tracking.expected_delivery


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    if not headers:
        return None
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def _since(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")


class AfterShipIntake:
    """Webhooks verified with the webhook secret; polling by `updated_at_min` (option `webhooks: false`)."""

    def verify_and_parse(
        self, body: bytes, credentials: Mapping[str, str], *, max_age_s: float, now: float,
        headers: Mapping[str, str] | None = None,
    ) -> ParsedWebhook:
        try:
            event = receive_webhook(body, _header(headers, SIGNATURE_HEADER), credentials.get("webhook_secret", ""))
        except (WebhookVerificationError, ValueError) as exc:
            raise WebhookInvalid(str(exc)) from None
        if event.tracking is None:
            raise WebhookInvalid("the webhook carries no tracking")
        key = event.event_id or hashlib.sha256(body).hexdigest()
        return ParsedWebhook(AfterShipUpdate(event.tracking), key)

    def wants_polling(self, options: Mapping[str, Any]) -> bool:
        return options.get("webhooks") is False

    async def poll_page(self, client: object, *, page: int, limit: int, since: datetime | None) -> UpdatePage:
        """AfterShip pages by cursor: page 1 follows every cursor (at the list endpoint's pace) in one go."""
        if page > 1:
            return UpdatePage((), False, None)
        filters = {"updated_at_min": _since(since)} if since is not None else {}
        items: list[AfterShipUpdate] = []
        seen: datetime | None = None
        async for tracking in cast(AfterShipClient, client).iter_trackings(
            limit=min(limit, POLL_PAGE_LIMIT), **filters
        ):
            items.append(AfterShipUpdate(tracking))
            at = tracking.last_update_time
            if at is not None and (seen is None or at > seen):
                seen = at
        return UpdatePage(items, False, seen)
