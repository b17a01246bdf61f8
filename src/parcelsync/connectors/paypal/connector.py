"""The PayPal connector: a payment gateway whose targets are payments (Orders v2 by default; v1 batch optional)."""

from __future__ import annotations

from typing import Literal, cast

import httpx
from pydantic import BaseModel, ConfigDict, Field

from parcelsync.connectors.carriers import SentCarrier
from parcelsync.connectors.paypal.send import KEY, PayPalDestination, overrides_of
from parcelsync.connectors.readback import Drift, HubCopy, OnChecked, ReadBackResult
from parcelsync.connectors.record import Connector, Kind, need
from parcelsync.domain.carriers import CarrierRegistry
from parcelsync.domain.models import Connection
from parcelsync.domain.provider import Provider
from parcelsync.providers.errors import NotFound, ProviderError
from parcelsync.providers.paypal.carriers import CARRIER_CODES, OTHER, paypal_carrier
from parcelsync.providers.paypal.client import PayPalClient
from parcelsync.providers.paypal.schemas import LIVE_BASE_URL

ID = Provider.PAYPAL.value


class PayPalCredentials(BaseModel):
    """A PayPal REST app's OAuth 2.0 client credentials."""

    client_id: str = Field(description="REST app client id")
    client_secret: str = Field(description="REST app secret")


class PayPalOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    api: Literal["orders_v2", "trackers_batch"] = Field(
        default="orders_v2",
        description="orders_v2: POST /v2/checkout/orders/{id}/track; trackers_batch: /v1/shipping/trackers-batch "
        "for transaction ids (deprecated by PayPal)",
    )
    notify_payer: bool = Field(default=False, description="ask PayPal to e-mail the buyer (Orders v2 only)")


def build_client(connection: Connection, http: httpx.AsyncClient) -> PayPalClient:
    return PayPalClient(
        http,
        base_url=connection.base_url,
        client_id=need(connection, "client_id"),
        client_secret=need(connection, "client_secret"),
    )


async def probe(client: object) -> None:
    """An OAuth token fetch: proves the client id and secret."""
    await cast(PayPalClient, client).probe()


async def read_back(client: object, hub: HubCopy, progress: OnChecked) -> ReadBackResult:
    """The trackers of each payment (Orders v2 order read back); drift when PayPal's live numbers differ."""
    paypal = cast(PayPalClient, client)
    result = ReadBackResult()
    expected: dict[str, set[str]] = {}
    for row in hub.live:
        if row.payment_intent_id:  # hub.live holds the parcels routed to this gateway
            expected.setdefault(row.payment_intent_id, set()).add(row.tracking_number)
    for payment, numbers in sorted(expected.items()):
        try:
            trackers = await paypal.order_trackers(payment)
        except NotFound:
            trackers = []
        except ProviderError as exc:
            result.errors.append(f"{ID} {payment}: {exc.reason}")
            continue
        remote = {str(t.get("tracking_number")) for t in trackers if t.get("status") != "CANCELLED"}
        if remote != numbers:
            kind = "missing" if not remote else "differs"
            result.drift.append(Drift(ID, payment, kind, tuple(sorted(numbers)), tuple(sorted(remote))))
        progress(ID, 1)
    result.checked = len(expected)
    return result


def carrier_name(carrier: str, registry: CarrierRegistry) -> SentCarrier:
    """PayPal's enum; `OTHER` (its fallback) carries the carrier's name beside it."""
    sent = paypal_carrier(carrier, registry, overrides_of(registry))
    if sent.carrier == OTHER:
        return SentCarrier(f"{OTHER} ({sent.carrier_name_other})", True)
    return SentCarrier(sent.carrier, False)


CONNECTOR = Connector(
    provider=Provider.PAYPAL,
    name="PayPal",
    kind=Kind.PAYMENT_GATEWAY,
    key=KEY,
    batch_size=20,
    pacing="Orders v2: one call per changed tracker; trackers_batch: up to 20 trackers per call",
    credentials=PayPalCredentials,
    options=PayPalOptions,
    production_url=LIVE_BASE_URL,
    public_credentials=("client_id",),
    build_client=build_client,
    send=PayPalDestination().send,
    probe=probe,
    carrier_codes=CARRIER_CODES,
    tracks_deletions=True,
    read_back=read_back,
    carrier_name=carrier_name,
)
