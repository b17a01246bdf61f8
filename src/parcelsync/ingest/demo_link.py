"""Store a merchant's connections to the sandboxes (the demo and the acceptance tests), provider-blind."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.db.crypto import CredentialCipher
from parcelsync.ingest.connections import save_connection
from parcelsync.sandbox.link import SandboxAccounts, SandboxConnection, sandbox_connections
from parcelsync.sandbox.server import SandboxUrls


async def connect_to_sandboxes(
    session: AsyncSession, cipher: CredentialCipher, merchant_id: str, urls: SandboxUrls, accounts: SandboxAccounts
) -> None:
    """Store the merchant's connections, pointing at the sandboxes (plans existing shipments)."""
    await store_links(session, cipher, merchant_id, sandbox_connections(urls, accounts))


async def store_links(
    session: AsyncSession, cipher: CredentialCipher, merchant_id: str, links: Sequence[SandboxConnection]
) -> None:
    """Store sandbox connections as they are given (the second demo store's, say)."""
    for link in links:
        await save_connection(
            session, cipher, merchant_id, link.provider,
            base_url=link.base_url, credentials=link.credentials, options=link.options,
        )
