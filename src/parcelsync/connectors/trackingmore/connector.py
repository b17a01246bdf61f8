"""The TrackingMore connector: a tracking provider whose targets are parcels (≤40 registrations per call).

It is the one provider that reports delivery status back: webhooks (v2, signed with the
account email) or, where no webhook can reach the hub (option `webhooks: false`), polling.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, cast

import httpx
from pydantic import BaseModel, ConfigDict, Field

from parcelsync.connectors.intake import ParsedWebhook, StatusUpdate, UpdatePage, WebhookInvalid
from parcelsync.connectors.readback import Drift, HubCopy, OnChecked, ReadBackResult
from parcelsync.connectors.record import Connector, Kind, need
from parcelsync.connectors.trackingmore.send import KEY, TrackingMoreDestination
from parcelsync.domain.models import Connection
from parcelsync.domain.provider import Provider
from parcelsync.providers.errors import ProviderError
from parcelsync.providers.trackingmore.carriers import CARRIER_CODES
from parcelsync.providers.trackingmore.client import TrackingMoreClient
from parcelsync.providers.trackingmore.mapping import parse_time
from parcelsync.providers.trackingmore.webhook import (
    WebhookVerificationError,
    parse_webhook,
    replay_key,
    verify_webhook,
)

ID = Provider.TRACKINGMORE.value


class TrackingMoreCredentials(BaseModel):
    """A TrackingMore account's API access."""

    api_key: str = Field(description="API key (Tracking-Api-Key header)")
    account_email: str | None = Field(default=None, description="account email: the key of webhook signatures")


class TrackingMoreOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    webhooks: bool = Field(default=True, description="false: the worker polls /trackings/get instead")
    status_source: bool = Field(
        default=True, description="with two tracking providers connected: whether this one's statuses are stored"
    )
    webhook_fetch: bool = Field(
        default=False,
        description="true: a webhook only triggers a fetch of its tracking (GET /trackings/get); its data is ignored",
    )


def build_client(connection: Connection, http: httpx.AsyncClient) -> TrackingMoreClient:
    options = connection.options
    return TrackingMoreClient(
        http,
        base_url=connection.base_url,
        api_key=need(connection, "api_key"),
        list_rate_per_s=float(options.get("list_rate_per_s", 1.0)),
        realtime_rate_per_s=float(options.get("realtime_rate_per_s", 3.0)),
    )


async def probe(client: object) -> None:
    """GET /trackings/getuserinfo: read-only."""
    await cast(TrackingMoreClient, client).get_user_info()


async def read_back(client: object, hub: HubCopy, progress: OnChecked) -> ReadBackResult:
    """The account's trackings listed page by page (1 request/s); drift when a live parcel is missing
    there, or a parcel deleted in the hub is still there."""
    trackingmore = cast(TrackingMoreClient, client)
    result = ReadBackResult()

    def code(carrier: str) -> str:
        return hub.registry.code_for(Provider.TRACKINGMORE, carrier)

    expected = {(code(r.carrier), r.tracking_number): r.carrier for r in hub.live}
    gone = {(code(c), n): c for (c, n) in hub.deleted}
    remote: set[tuple[str, str]] = set()
    try:
        async for tracking in trackingmore.iter_trackings(limit=2000):
            remote.add((tracking.carrier_code, tracking.tracking_number))
            progress(ID, 1)
    except ProviderError as exc:
        result.errors.append(f"{ID} list: {exc.reason}")
        result.checked = None
        return result
    for (carrier_code, number), carrier in sorted(expected.items()):
        if (carrier_code, number) not in remote:
            result.drift.append(Drift(ID, KEY.format(carrier, number), "missing", (number,), ()))
    for (carrier_code, number) in sorted(remote - set(expected)):
        deleted = gone.get((carrier_code, number))
        if deleted is not None:
            result.drift.append(Drift(ID, KEY.format(deleted, number), "deleted in hub", (), (number,)))
    result.checked = len(expected)
    return result


def delivery_key(payload: Mapping[str, Any]) -> str:
    """A redelivery of the same tracking state has the same key (the signature and timeStr may differ)."""
    data = payload.get("data")
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


class TrackingMoreIntake:
    """v2 webhooks signed with the account email; polling through GET /trackings/get, which also serves
    `webhook_fetch` (the v2 signature covers only `timeStr`, so the body's data is not authenticated)."""

    def verify_and_parse(
        self, body: bytes, credentials: Mapping[str, str], *, max_age_s: float, now: float,
        headers: Mapping[str, str] | None = None,
    ) -> ParsedWebhook:
        try:
            verify_webhook(body, credentials.get("account_email", ""), max_age_s=max_age_s, now=now)
            payload = json.loads(body)
            update = parse_webhook(payload)
        except (WebhookVerificationError, ValueError) as exc:
            raise WebhookInvalid(str(exc)) from None
        return ParsedWebhook(update, delivery_key(payload), replay_key(payload))

    def wants_polling(self, options: Mapping[str, Any]) -> bool:
        return options.get("webhooks") is False

    async def poll_page(self, client: object, *, page: int, limit: int, since: datetime | None) -> UpdatePage:
        result = await cast(TrackingMoreClient, client).list_trackings(page=page, limit=limit, update_time_min=since)
        seen: datetime | None = None
        for update in result.items:
            at = parse_time(update.raw.get("updated_at")) or update.last_update_time
            if at is not None and (seen is None or at > seen):
                seen = at
        return UpdatePage(result.items, result.has_more, seen)

    def wants_fetch(self, options: Mapping[str, Any]) -> bool:
        return options.get("webhook_fetch") is True

    async def fetch_named(self, client: object, named: StatusUpdate) -> Sequence[StatusUpdate]:
        result = await cast(TrackingMoreClient, client).list_trackings(numbers=[named.tracking_number])
        return [u for u in result.items if not named.carrier_code or u.carrier_code == named.carrier_code]


CONNECTOR = Connector(
    provider=Provider.TRACKINGMORE,
    name="TrackingMore",
    kind=Kind.TRACKING_PROVIDER,
    key=KEY,
    batch_size=40,
    pacing="up to 40 registrations per batch call; listing at 1 request/s, realtime at 3 requests/s",
    credentials=TrackingMoreCredentials,
    options=TrackingMoreOptions,
    production_url="https://api.trackingmore.com/v2",
    build_client=build_client,
    send=TrackingMoreDestination().send,
    probe=probe,
    carrier_codes=CARRIER_CODES,
    tracks_deletions=True,
    read_back=read_back,
    status_intake=TrackingMoreIntake(),
)
