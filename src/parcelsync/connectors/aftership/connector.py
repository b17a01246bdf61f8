"""The AfterShip connector: a tracking provider whose targets are parcels; it reports delivery status back."""

from __future__ import annotations

from typing import cast

import httpx
from pydantic import BaseModel, ConfigDict, Field

from parcelsync.connectors.aftership.intake import AfterShipIntake
from parcelsync.connectors.aftership.send import KEY, AfterShipDestination, overrides_of
from parcelsync.connectors.carriers import SentCarrier
from parcelsync.connectors.readback import Drift, HubCopy, OnChecked, ReadBackResult
from parcelsync.connectors.record import Connector, Kind, need
from parcelsync.domain.carriers import CarrierRegistry
from parcelsync.domain.models import Connection
from parcelsync.domain.provider import Provider
from parcelsync.providers.aftership.carriers import CARRIER_CODES, aftership_slug
from parcelsync.providers.aftership.client import AfterShipClient
from parcelsync.providers.aftership.schemas import LIVE_BASE_URL
from parcelsync.providers.errors import ProviderError

ID = Provider.AFTERSHIP.value


class AfterShipCredentials(BaseModel):
    """An AfterShip account's Tracking API access."""

    api_key: str = Field(description="API key (as-api-key header)")
    webhook_secret: str | None = Field(default=None, description="webhook secret: the key of aftership-hmac-sha256")


class AfterShipOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    webhooks: bool = Field(default=True, description="false: the worker polls GET /trackings instead")
    status_source: bool = Field(
        default=True, description="with two tracking providers connected: whether this one's statuses are stored"
    )


def build_client(connection: Connection, http: httpx.AsyncClient) -> AfterShipClient:
    return AfterShipClient(http, api_key=need(connection, "api_key"), base_url=connection.base_url)


async def probe(client: object) -> None:
    """GET /couriers: read-only."""
    await cast(AfterShipClient, client).probe()


async def read_back(client: object, hub: HubCopy, progress: OnChecked) -> ReadBackResult:
    """The account's trackings listed by cursor; drift when a live parcel is missing there, or a parcel
    deleted in the hub is still there (matched on tracking number, and on slug when we know one)."""
    aftership = cast(AfterShipClient, client)
    result = ReadBackResult()
    overrides = overrides_of(hub.registry)
    remote: dict[str, set[str]] = {}
    try:
        async for tracking in aftership.iter_trackings(limit=200):
            remote.setdefault(tracking.tracking_number, set()).add(tracking.slug)
            progress(ID, 1)
    except ProviderError as exc:
        result.errors.append(f"{ID} list: {exc.reason}")
        result.checked = None
        return result

    def there(carrier: str, number: str) -> bool:
        slug = aftership_slug(carrier, hub.registry, overrides)
        slugs = remote.get(number)
        return bool(slugs) and (slug is None or slug in (slugs or set()))

    live = {(r.carrier, r.tracking_number) for r in hub.live}
    for carrier, number in sorted(live):
        if not there(carrier, number):
            result.drift.append(Drift(ID, KEY.format(carrier, number), "missing", (number,), ()))
    for carrier, number in sorted(hub.deleted - live):
        if there(carrier, number):
            result.drift.append(Drift(ID, KEY.format(carrier, number), "deleted in hub", (), (number,)))
    result.checked = len(live)
    return result


def carrier_name(carrier: str, registry: CarrierRegistry) -> SentCarrier:
    """AfterShip's slug; without one, no slug is sent and AfterShip detects the courier (its fallback)."""
    slug = aftership_slug(carrier, registry, overrides_of(registry))
    return SentCarrier(slug, False) if slug else SentCarrier("(none: AfterShip detects the courier)", True)


CONNECTOR = Connector(
    provider=Provider.AFTERSHIP,
    name="AfterShip",
    kind=Kind.TRACKING_PROVIDER,
    key=KEY,
    batch_size=20,
    pacing="one call per parcel, paced by AfterShip's per-endpoint X-RateLimit-* headers",
    credentials=AfterShipCredentials,
    options=AfterShipOptions,
    production_url=LIVE_BASE_URL,
    build_client=build_client,
    send=AfterShipDestination().send,
    probe=probe,
    carrier_codes=CARRIER_CODES,
    tracks_deletions=True,
    read_back=read_back,
    status_intake=AfterShipIntake(),
    carrier_name=carrier_name,
)
