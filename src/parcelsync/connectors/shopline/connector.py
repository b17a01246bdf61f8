"""The SHOPLINE connector: a store whose targets are fulfillments (one update_tracking call each)."""

from __future__ import annotations

from typing import Literal, cast

import httpx
from pydantic import BaseModel, ConfigDict, Field

from parcelsync.connectors.record import Connector, Kind, need
from parcelsync.connectors.shopline.send import KEY, ShoplineDestination
from parcelsync.domain.models import Connection
from parcelsync.domain.provider import Provider
from parcelsync.providers.shopline.carriers import CARRIER_CODES
from parcelsync.providers.shopline.client import DEFAULT_API_VERSION, ShoplineClient
from parcelsync.providers.shopline.inbound import ShoplineSource
from parcelsync.providers.shopline.mapping import TrackingEntry
from parcelsync.providers.shopline.ratelimit import DEFAULT_CAPACITY, DEFAULT_RATE, LeakyBucket

PROBE_ID = "parcelsync-connection-test"


class ShoplineCredentials(BaseModel):
    """A SHOPLINE store's API access."""

    handle: str = Field(description="store handle: the {handle} of https://{handle}.myshopline.com")
    access_token: str = Field(description="Admin API access token")
    app_secret: str | None = Field(default=None, description="app secret (verifies the store's webhooks)")


class ShoplineOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    api_version: Literal["v20250601", "v20260301"] = "v20260301"
    notify_customer: bool = False
    rate_per_second: float | None = Field(default=None, gt=0, description="client bucket rate (default 4/s)")
    bucket_size: int | None = Field(default=None, ge=1, description="client bucket size (default 40)")
    inbound: bool | None = Field(
        default=None, description="listen to the store's fulfillment webhooks (default: on when app_secret is set)"
    )
    source_of_truth: Literal["store", "hub"] | None = Field(
        default=None, description="who wins when the store's tracking differs (default: store while inbound is on)"
    )


def build_client(connection: Connection, http: httpx.AsyncClient) -> ShoplineClient:
    """SHOPLINE clients share the process-wide bucket of their store (4/s, burst 40) unless the
    connection's options set `rate_per_second` / `bucket_size` (an app with a raised limit, a sandbox)."""
    options = connection.options
    limiter = None
    rate, size = options.get("rate_per_second"), options.get("bucket_size")
    if rate is not None or size is not None:
        limiter = LeakyBucket(float(rate or DEFAULT_RATE), int(size or DEFAULT_CAPACITY))
    return ShoplineClient(
        http,
        base_url=connection.base_url,
        access_token=need(connection, "access_token"),
        api_version=str(options.get("api_version") or DEFAULT_API_VERSION),
        limiter=limiter,
    )


async def probe(client: object) -> None:
    """The seeds document no read endpoint, so update_tracking an order id that cannot exist: the store
    authenticates the token first and then answers 404, and nothing can change."""
    entry = TrackingEntry(None, "PARCELSYNCTEST", None)
    await cast(ShoplineClient, client).update_tracking(PROBE_ID, PROBE_ID, [entry])


CONNECTOR = Connector(
    provider=Provider.SHOPLINE,
    name="SHOPLINE",
    kind=Kind.STORE,
    key=KEY,
    batch_size=10,
    pacing=(
        "one fulfillment per call; a claim's calls run at once, paced by the store's leaky bucket "
        "(4 req/s, burst 40), so claiming 10 only saves database round trips"
    ),
    credentials=ShoplineCredentials,
    options=ShoplineOptions,
    production_url="https://{handle}.myshopline.com",
    public_credentials=("handle",),
    build_client=build_client,
    send=ShoplineDestination().send,
    probe=probe,
    carrier_codes=CARRIER_CODES,
    inbound=ShoplineSource(),
)
