"""Subscribe the hub's webhook URL to a store's fulfillment topics; running it again changes nothing."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from parcelsync.connectors.inbound import StoreSource
from parcelsync.connectors.urls import resolved
from parcelsync.db.crypto import CredentialCipher
from parcelsync.db.queries.connections import load_connection
from parcelsync.ingest.store.backfill import NoStoreConnection


class MissingWebhookSecret(LookupError):
    """The connection has no webhook secret, so the store's webhooks could not be verified."""


@dataclass(frozen=True, slots=True)
class Subscribed:
    topic: str
    address: str
    result: str  # "created" or "exists"


def webhook_address(public_url: str, source: StoreSource, merchant_id: str) -> str:
    """The hub's webhook URL for this merchant under `public_url` (a full webhook URL is kept as given)."""
    path = f"/v1/webhooks/{source.provider.value}/{merchant_id}"
    base = public_url.strip().rstrip("/")
    return base if base.endswith(path) else base + path


async def subscribe_store(
    sessions: async_sessionmaker[AsyncSession],
    cipher: CredentialCipher,
    source: StoreSource,
    merchant_id: str,
    public_url: str,
    *,
    http: httpx.AsyncClient,
) -> list[Subscribed]:
    """Create the missing subscriptions (one per topic) for the hub's address; existing ones are kept."""
    async with sessions() as session:
        connection = await load_connection(session, cipher, merchant_id, source.provider)
    if connection is None:
        raise NoStoreConnection(f"merchant {merchant_id!r} has no {source.provider.value} connection")
    if not connection.credentials.get(source.secret_name):
        raise MissingWebhookSecret(
            f"set the connection's {source.secret_name} credential first: without it webhooks cannot be verified"
        )
    address = webhook_address(public_url, source, merchant_id)
    client = source.client(resolved(connection), http)
    existing = {(w.get("topic"), w.get("address")) for w in await client.list_webhooks()}
    results = []
    for topic in source.topics:
        if (topic, address) in existing:
            results.append(Subscribed(topic, address, "exists"))
            continue
        await client.subscribe(address, topic)
        results.append(Subscribed(topic, address, "created"))
    return results
