"""The store sources inbound sync knows, by provider.

One entry per store connector that declares the inbound capability; when the connector registry
lands this table is read from it instead.
"""

from __future__ import annotations

from parcelsync.domain.provider import Provider
from parcelsync.ingest.store.source import StoreSource
from parcelsync.providers.shopline.inbound import ShoplineSource

STORE_SOURCES: dict[Provider, StoreSource] = {Provider.SHOPLINE: ShoplineSource()}


def store_source(name: str) -> StoreSource | None:
    """The source for a provider name from a URL or the CLI, or None when that provider is no store source."""
    try:
        return STORE_SOURCES.get(Provider(name))
    except ValueError:
        return None
