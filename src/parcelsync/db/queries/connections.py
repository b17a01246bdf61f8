"""Provider connections: credentials are encrypted on write, read back only masked or into a domain Connection."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.db.crypto import CredentialCipher
from parcelsync.db.tables import ConnectionRow
from parcelsync.domain.models import Connection
from parcelsync.domain.provider import Provider
from parcelsync.providers.errors import shown_credentials


@dataclass(frozen=True, slots=True)
class ConnectionView:
    """A connection as shown to people: credentials masked, never in clear."""

    merchant_id: str
    provider: str
    base_url: str
    credentials: dict[str, str]
    options: dict[str, Any]
    enabled: bool
    paused_until: datetime | None
    pause_reason: str | None
    created_at: datetime
    updated_at: datetime


def view(row: ConnectionRow, cipher: CredentialCipher, *, public: Collection[str]) -> ConnectionView:
    """The connection as shown; `public` names the credentials that are identifiers (the connector's)."""
    masked = shown_credentials(cipher.decrypt(row.credentials_enc), public)
    return ConnectionView(
        merchant_id=row.merchant_id,
        provider=row.provider,
        base_url=row.base_url,
        credentials=masked,
        options=dict(row.options or {}),
        enabled=row.enabled,
        paused_until=row.paused_until,
        pause_reason=row.pause_reason,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


async def get_connection_row(session: AsyncSession, merchant_id: str, provider: Provider) -> ConnectionRow | None:
    return await session.scalar(
        select(ConnectionRow).where(ConnectionRow.merchant_id == merchant_id, ConnectionRow.provider == provider.value)
    )


async def list_connection_rows(session: AsyncSession, merchant_id: str) -> list[ConnectionRow]:
    stmt = select(ConnectionRow).where(ConnectionRow.merchant_id == merchant_id).order_by(ConnectionRow.provider)
    return list((await session.scalars(stmt)).all())


async def load_connection(
    session: AsyncSession, cipher: CredentialCipher, merchant_id: str, provider: Provider
) -> Connection | None:
    """The connection with decrypted credentials, for the code that calls the provider."""
    row = await get_connection_row(session, merchant_id, provider)
    if row is None:
        return None
    return decrypted(cipher, merchant_id, provider, row.base_url, row.credentials_enc, row.options, row.enabled)


def decrypted(
    cipher: CredentialCipher,
    merchant_id: str,
    provider: Provider,
    base_url: str,
    credentials_enc: str,
    options: Mapping[str, Any] | None,
    enabled: bool,
) -> Connection:
    """A stored connection's columns as the domain value, its credentials decrypted (SecretKeyError if not)."""
    return Connection(
        merchant_id=merchant_id,
        provider=provider,
        base_url=base_url,
        credentials=cipher.decrypt(credentials_enc),
        options=dict(options or {}),
        enabled=enabled,
    )


async def store_connection(
    session: AsyncSession,
    cipher: CredentialCipher,
    merchant_id: str,
    provider: Provider,
    *,
    base_url: str | None,
    credentials: dict[str, str] | None = None,
    options: dict[str, Any] | None = None,
    enabled: bool | None = None,
    merge: bool = False,
) -> tuple[ConnectionRow, bool, bool]:
    """Create or change a connection row; returns (row, created, was_enabled). Storage only: the rules
    (defaults, validation, planning) are `ingest.connections.save_connection`'s.

    With `merge`, given credentials and options are laid over the stored ones; without it they
    replace them. Credentials left out are kept either way. `base_url` None keeps the stored URL.
    """
    row = await get_connection_row(session, merchant_id, provider)
    created = row is None
    was_enabled = bool(row is not None and row.enabled)
    if row is None:
        if base_url is None:
            raise ValueError("a new connection needs a base URL")
        row = ConnectionRow(
            merchant_id=merchant_id,
            provider=provider.value,
            base_url=base_url,
            credentials_enc=cipher.encrypt(dict(credentials or {})),
            options=dict(options or {}),
            enabled=True if enabled is None else enabled,
        )
        session.add(row)
    else:
        if credentials is not None:
            stored = cipher.decrypt(row.credentials_enc)
            row.credentials_enc = cipher.encrypt({**stored, **credentials} if merge else dict(credentials))
        if options is not None:
            row.options = {**(row.options or {}), **options} if merge else dict(options)
        if base_url is not None:
            row.base_url = base_url
        if enabled is not None:
            row.enabled = enabled
    await session.flush()
    return row, created, was_enabled
