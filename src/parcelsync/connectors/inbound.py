"""Inbound, an optional store connector capability: the store is a source of tracking as well as a destination.

A store connector declares it by setting `Connector.inbound` (implemented per store in
`providers/<name>/inbound.py`). The generic half (`ingest/store/`: webhook intake, backfill,
subscription, echo detection and ownership) only ever sees `StoreFulfillment` values and this
interface; the webhook route, the CLI groups and the dashboard's backfill find the stores that
declare it in `connectors.registry`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

import httpx

from parcelsync.domain.carriers import CarrierRegistry
from parcelsync.domain.models import Connection, Shipment
from parcelsync.domain.provider import Provider
from parcelsync.domain.store_fulfillment import InboundEnvelope, StoreFulfillment, StoreParcel


class OrdersPageLike(Protocol):
    """One page of orders and the cursor of the next page (None on the last page); read-only."""

    @property
    def orders(self) -> list[dict[str, Any]]: ...

    @property
    def next_page_info(self) -> str | None: ...


class StoreReader(Protocol):
    """The store's read API, paced by the store's own rate limit."""

    async def get_order(self, order_id: str) -> dict[str, Any] | None: ...

    async def list_orders(
        self, *, updated_at_min: datetime | None = None, fulfillment_status: str | None = None,
        page_info: str | None = None, limit: int = ...,
    ) -> OrdersPageLike: ...

    async def list_webhooks(self) -> list[dict[str, Any]]: ...

    async def subscribe(self, address: str, topic: str) -> dict[str, Any]: ...


class StoreSource(Protocol):
    provider: Provider
    secret_name: str
    topics: tuple[str, ...]
    backfill_passes: tuple[str, ...]

    def verify(self, body: bytes, headers: Mapping[str, str], secret: str) -> InboundEnvelope: ...

    def wants(self, topic: str) -> bool: ...

    def parse(self, payload: object) -> StoreFulfillment: ...

    def order_fulfillments(self, order: Mapping[str, Any]) -> list[StoreFulfillment]: ...

    def payment_reference(self, order: Mapping[str, Any]) -> str | None: ...

    def hub_parcels(self, shipments: Iterable[Shipment], registry: CarrierRegistry) -> tuple[StoreParcel, ...]: ...

    def sent_parcels(self, sent: Sequence[Sequence[Any]]) -> tuple[StoreParcel, ...]: ...

    def carrier_for(self, company: str | None, registry: CarrierRegistry) -> str | None: ...

    def target_key(self, order_id: str, fulfillment_id: str) -> str: ...

    def client(self, connection: Connection, http: httpx.AsyncClient) -> StoreReader: ...


def inbound_enabled(connection: Connection, source: StoreSource) -> bool:
    """Option `inbound` as set; unset, on exactly when the connection holds the webhook secret."""
    value = connection.options.get("inbound")
    if value is None:
        return bool(connection.credentials.get(source.secret_name))
    return bool(value)
