"""Provider clients per connection, built from decrypted credentials and cached while they do not change."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import httpx

from parcelsync.domain.models import Connection
from parcelsync.domain.provider import Provider
from parcelsync.providers.shopline.client import DEFAULT_API_VERSION as SHOPLINE_DEFAULT_VERSION
from parcelsync.providers.shopline.client import ShoplineClient
from parcelsync.providers.shopline.ratelimit import DEFAULT_CAPACITY, DEFAULT_RATE, LeakyBucket
from parcelsync.providers.trackingmore.client import TrackingMoreClient
from parcelsync.providers.useepay.client import UseePayClient


class MissingCredential(ValueError):
    """The connection lacks a credential its provider needs."""


def _need(connection: Connection, name: str) -> str:
    value = connection.credentials.get(name)
    if not value:
        raise MissingCredential(f"{connection.provider.value} connection has no {name!r} credential")
    return value


def build_client(connection: Connection, http: httpx.AsyncClient) -> Any:
    """The provider client for a connection (its base URL may point at a sandbox).

    SHOPLINE clients share the process-wide bucket of their store (4/s, burst 40) unless the
    connection's options set `rate_per_second` / `bucket_size` (an app with a raised limit, a sandbox).
    """
    options = connection.options
    if connection.provider is Provider.USEEPAY:
        return UseePayClient(
            http,
            base_url=connection.base_url,
            merchant_no=_need(connection, "merchant_no"),
            app_id=_need(connection, "app_id"),
            api_key=_need(connection, "api_key"),
            api_version=str(options.get("api_version") or "2024-08"),
        )
    if connection.provider is Provider.SHOPLINE:
        limiter = None
        rate, size = options.get("rate_per_second"), options.get("bucket_size")
        if rate is not None or size is not None:
            limiter = LeakyBucket(float(rate or DEFAULT_RATE), int(size or DEFAULT_CAPACITY))
        return ShoplineClient(
            http,
            base_url=connection.base_url,
            access_token=_need(connection, "access_token"),
            api_version=str(options.get("api_version") or SHOPLINE_DEFAULT_VERSION),
            limiter=limiter,
        )
    return TrackingMoreClient(
        http,
        base_url=connection.base_url,
        api_key=_need(connection, "api_key"),
        list_rate_per_s=float(options.get("list_rate_per_s", 1.0)),
        realtime_rate_per_s=float(options.get("realtime_rate_per_s", 3.0)),
    )


def fingerprint(connection: Connection) -> str:
    """A digest of everything a client is built from, so a changed connection gets a new client."""
    material = json.dumps(
        [connection.provider.value, connection.base_url, connection.credentials, connection.options],
        sort_keys=True, default=str,
    )
    return hashlib.sha256(material.encode()).hexdigest()


class ClientCache:
    """One client per (merchant, provider), rebuilt when the connection changes."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http
        self._clients: dict[tuple[str, Provider], tuple[str, Any]] = {}

    def get(self, connection: Connection) -> Any:
        key = (connection.merchant_id, connection.provider)
        digest = fingerprint(connection)
        cached = self._clients.get(key)
        if cached is not None and cached[0] == digest:
            return cached[1]
        client = build_client(connection, self.http)
        self._clients[key] = (digest, client)
        return client
