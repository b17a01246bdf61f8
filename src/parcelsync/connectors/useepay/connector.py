"""The UseePay connector: a payment gateway whose targets are payment intents (≤20 per upload call)."""

from __future__ import annotations

from typing import cast

import httpx
from pydantic import BaseModel, ConfigDict, Field

from parcelsync.connectors.readback import Drift, HubCopy, OnChecked, ReadBackResult
from parcelsync.connectors.record import Connector, Kind, need
from parcelsync.connectors.useepay.send import KEY, UseePayDestination
from parcelsync.domain.models import Connection
from parcelsync.domain.provider import Provider
from parcelsync.providers.errors import NotFound, ProviderError
from parcelsync.providers.useepay.carriers import CARRIER_CODES
from parcelsync.providers.useepay.client import UseePayClient

PROBE_ID = "parcelsync-connection-test"
ID = Provider.USEEPAY.value


class UseePayCredentials(BaseModel):
    """UseePay API credentials (all three sign every request)."""

    merchant_no: str = Field(description="UseePay merchant number")
    app_id: str = Field(description="application id")
    api_key: str = Field(description="API key (request signing secret)")


class UseePayOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    api_version: str = Field(default="2024-08", pattern=r"^\d{4}-\d{2}$")


def build_client(connection: Connection, http: httpx.AsyncClient) -> UseePayClient:
    return UseePayClient(
        http,
        base_url=connection.base_url,
        merchant_no=need(connection, "merchant_no"),
        app_id=need(connection, "app_id"),
        api_key=need(connection, "api_key"),
        api_version=str(connection.options.get("api_version") or "2024-08"),
    )


async def probe(client: object) -> None:
    """Retrieve the tracker of a payment intent that cannot exist: a 404 proves the credentials were accepted."""
    await cast(UseePayClient, client).retrieve_tracker(PROBE_ID)


async def read_back(client: object, hub: HubCopy, progress: OnChecked) -> ReadBackResult:
    """"Retrieve a tracker" per payment intent; drift when the provider's parcel numbers differ from the hub's."""
    useepay = cast(UseePayClient, client)
    result = ReadBackResult()
    expected: dict[str, set[str]] = {}
    for row in hub.live:
        if row.payment_intent_id:
            expected.setdefault(row.payment_intent_id, set()).add(row.tracking_number)
    for intent, numbers in sorted(expected.items()):
        try:
            tracker = await useepay.retrieve_tracker(intent)
            remote = {s.tracking_number for s in tracker.shipments}
        except NotFound:
            remote = set()
        except ProviderError as exc:
            result.errors.append(f"{ID} {intent}: {exc.reason}")
            continue
        if remote != numbers:
            kind = "missing" if not remote else "differs"
            result.drift.append(Drift(ID, intent, kind, tuple(sorted(numbers)), tuple(sorted(remote))))
        progress(ID, 1)
    result.checked = len(expected)
    return result


CONNECTOR = Connector(
    provider=Provider.USEEPAY,
    name="UseePay",
    kind=Kind.PAYMENT_GATEWAY,
    key=KEY,
    batch_size=20,
    pacing="one upload call carries up to 20 payment intents",
    credentials=UseePayCredentials,
    options=UseePayOptions,
    production_url="https://openapi.useepay.com",
    public_credentials=("merchant_no",),
    build_client=build_client,
    send=UseePayDestination().send,
    probe=probe,
    carrier_codes=CARRIER_CODES,
    read_back=read_back,
)
