"""SHOPLINE as a source: what inbound sync needs from the store, behind one small object.

The generic inbound code (`ingest/store/`) never reads a SHOPLINE payload itself: it gets
`StoreFulfillment` values from here and asks here how the hub's own parcels look in the store's
vocabulary (to recognise the echo of its own update_tracking).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import httpx

from parcelsync.domain.carriers import CarrierRegistry
from parcelsync.domain.models import Connection, Shipment
from parcelsync.domain.provider import Provider
from parcelsync.domain.store_fulfillment import InboundEnvelope, StoreFulfillment, StoreParcel
from parcelsync.providers.shopline.client import DEFAULT_API_VERSION
from parcelsync.providers.shopline.mapping import FALLBACK_COMPANY, build_entries
from parcelsync.providers.shopline.ratelimit import DEFAULT_CAPACITY, DEFAULT_RATE, LeakyBucket
from parcelsync.providers.shopline.store_api import OrdersPage, ShoplineStoreClient
from parcelsync.providers.shopline.webhook import (
    FULFILLMENT_TOPICS,
    fulfillments_of_order,
    is_fulfillment_topic,
    parse_fulfillment,
    payment_reference,
    verify,
)

# Orders that hold tracking: shipped and partially shipped ones. `orders.json` defaults to
# `unshipped` when fulfillment_status is left out, so the backfill asks for each explicitly.
BACKFILL_PASSES = ("shipped", "partial")


_BUCKETS: dict[tuple[str, float, int], LeakyBucket] = {}


def _bucket(base_url: str, rate: Any, size: Any) -> LeakyBucket:
    """One bucket per store and configured limit, shared by every inbound call to that store."""
    key = (base_url.rstrip("/").lower(), float(rate or DEFAULT_RATE), int(size or DEFAULT_CAPACITY))
    if key not in _BUCKETS:
        _BUCKETS[key] = LeakyBucket(key[1], key[2])
    return _BUCKETS[key]


class ShoplineSource:
    """The SHOPLINE store as an inbound source of fulfillments."""

    provider = Provider.SHOPLINE
    secret_name = "app_secret"
    topics: tuple[str, ...] = FULFILLMENT_TOPICS
    backfill_passes: tuple[str, ...] = BACKFILL_PASSES

    def verify(self, body: bytes, headers: Mapping[str, str], secret: str) -> InboundEnvelope:
        envelope = verify(body, headers, secret)
        return InboundEnvelope(envelope.webhook_id, envelope.topic)

    def wants(self, topic: str) -> bool:
        return is_fulfillment_topic(topic)

    def parse(self, payload: Any) -> StoreFulfillment:
        return parse_fulfillment(payload)

    def order_fulfillments(self, order: Mapping[str, Any]) -> list[StoreFulfillment]:
        return fulfillments_of_order(order)

    def payment_reference(self, order: Mapping[str, Any]) -> str | None:
        return payment_reference(order)

    def hub_parcels(self, shipments: Iterable[Shipment], registry: CarrierRegistry) -> tuple[StoreParcel, ...]:
        """The parcels the hub writes for these shipments (exactly what update_tracking sends)."""
        return tuple(
            StoreParcel(e.number, None if e.company == FALLBACK_COMPANY else e.company, e.url)
            for e in build_entries(shipments, registry)
        )

    def sent_parcels(self, sent: Sequence[Sequence[Any]]) -> tuple[StoreParcel, ...]:
        """The parcels of a recorded update_tracking call (`[[number, company, url], ...]`)."""
        return tuple(
            StoreParcel(str(n), None if c in (None, FALLBACK_COMPANY) else str(c), u) for n, c, u in sent
        )

    def target_key(self, order_id: str, fulfillment_id: str) -> str:
        """The outbox key of a fulfillment (as the sync engine writes it)."""
        return f"{order_id}/{fulfillment_id}"

    def carrier_for(self, company: str | None, registry: CarrierRegistry) -> str | None:
        """The canonical carrier behind a store company name: the merchant's own names first, then the registry."""
        if not company:
            return None
        for (provider, canonical), name in registry.overrides.items():
            if provider is self.provider and name.strip().lower() == company.strip().lower():
                return canonical
        known = registry.resolve(company)
        return known.code if known else company

    def client(self, connection: Connection, http: httpx.AsyncClient) -> StoreReader:
        options = connection.options
        rate, size = options.get("rate_per_second"), options.get("bucket_size")
        limiter = _bucket(connection.base_url, rate, size) if rate or size else None
        return ShoplineStoreClient(
            http, base_url=connection.base_url, access_token=connection.credentials.get("access_token", ""),
            api_version=str(options.get("api_version") or DEFAULT_API_VERSION), limiter=limiter,
        )


StoreReader = ShoplineStoreClient
__all__ = ["OrdersPage", "ShoplineSource", "StoreReader"]
