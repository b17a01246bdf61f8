"""Provider clients per connection, built by the connector's one factory and cached while the connection holds."""

from __future__ import annotations

import hashlib
import json

import httpx

from parcelsync.connectors.record import MissingCredential
from parcelsync.connectors.registry import build_client
from parcelsync.domain.models import Connection
from parcelsync.domain.provider import Provider

__all__ = ["ClientCache", "MissingCredential", "build_client", "fingerprint"]


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
        self._clients: dict[tuple[str, Provider], tuple[str, object]] = {}

    def get(self, connection: Connection) -> object:
        key = (connection.merchant_id, connection.provider)
        digest = fingerprint(connection)
        cached = self._clients.get(key)
        if cached is not None and cached[0] == digest:
            return cached[1]
        client = build_client(connection, self.http)
        self._clients[key] = (digest, client)
        return client
