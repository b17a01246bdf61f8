"""Store a merchant's connections to the sandboxes (the demo and the acceptance tests), provider-blind."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.db.crypto import CredentialCipher
from parcelsync.ingest.connections import save_connection
from parcelsync.sandbox.link import SandboxAccounts, sandbox_connections
from parcelsync.sandbox.server import SandboxUrls


async def connect_to_sandboxes(
    session: AsyncSession, cipher: CredentialCipher, merchant_id: str, urls: SandboxUrls, accounts: SandboxAccounts
) -> None:
    """Store the merchant's connections, pointing at the sandboxes (plans existing shipments)."""
    for link in sandbox_connections(urls, accounts):
        await save_connection(
            session, cipher, merchant_id, link.provider,
            base_url=link.base_url, credentials=link.credentials, options=link.options,
        )
