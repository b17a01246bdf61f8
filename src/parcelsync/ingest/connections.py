"""Saving a connection: the one use case (and one set of rules) behind the API, the CLI and the dashboard.

Modes: `replace` (PUT: credentials and options replace the stored ones, the base URL defaults
to the production URL), `merge` (PATCH: given credentials and options are laid over the stored
ones; the connection must exist) and `upsert` (the CLI's `set`: replace when new, merge when
it exists). Credentials left out are kept in every mode: they are write-only. Creating an
enabled connection, or enabling a disabled one, plans every live shipment of the merchant for
this provider in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.activity.record import Actor, DetailValue, record_activity
from parcelsync.connectors.registry import connector_for
from parcelsync.connectors.urls import production_url
from parcelsync.db.crypto import CredentialCipher
from parcelsync.db.queries import connections as store
from parcelsync.db.tables import ConnectionRow
from parcelsync.domain.provider import Provider
from parcelsync.ingest.connection_input import check_base_url, check_credentials, check_options
from parcelsync.sync.planner import plan_connection

Mode = Literal["replace", "merge", "upsert"]


class ConnectionNotFound(LookupError):
    """There is no such connection to change."""


@dataclass(frozen=True, slots=True)
class ConnectionChange:
    """What a caller asks to change (unvalidated); None leaves a part as it is (or at its default)."""

    base_url: str | None = None
    credentials: Mapping[str, Any] | None = None
    options: Mapping[str, Any] | None = None
    enabled: bool | None = None
    allow_private_base_url: bool = False
    """Whether a loopback, private or link-local base URL is accepted (`PARCELSYNC_ALLOW_PRIVATE_BASE_URLS`)."""


def default_base_url(provider: Provider, credentials: Mapping[str, str]) -> str:
    """The provider's production URL (a per-store one is filled from the credentials, e.g. the handle)."""
    return production_url(connector_for(provider), credentials)


async def save_connection(
    session: AsyncSession,
    cipher: CredentialCipher,
    merchant_id: str,
    provider: Provider,
    *,
    base_url: str | None = None,
    credentials: dict[str, str] | None = None,
    options: dict[str, Any] | None = None,
    enabled: bool | None = None,
    merge: bool = False,
) -> tuple[ConnectionRow, bool]:
    """Store already-validated settings; returns (row, created). Without `merge` a missing base URL is
    the production URL; a connection that becomes enabled gets its shipments planned."""
    url = base_url
    if url is None and not merge:
        row = await store.get_connection_row(session, merchant_id, provider)
        stored = cipher.decrypt(row.credentials_enc) if row is not None else {}
        url = default_base_url(provider, {**stored, **(credentials or {})} if row is not None else credentials or {})
    row, created, was_enabled = await store.store_connection(
        session, cipher, merchant_id, provider,
        base_url=url, credentials=credentials, options=options, enabled=enabled, merge=merge,
    )
    if row.enabled and not was_enabled:
        await plan_connection(session, merchant_id, provider)
    return row, created


async def change_connection(
    session: AsyncSession,
    cipher: CredentialCipher,
    merchant_id: str,
    provider: Provider,
    change: ConnectionChange,
    *,
    mode: Mode,
    actor: Actor | None = None,
) -> tuple[ConnectionRow, bool]:
    """Validate a change by the one set of rules, then save it (logged as `actor`'s); returns (row, created).

    Raises InvalidInput (a 422 naming the field) or ConnectionNotFound (`merge` on a missing one).
    """
    row = await store.get_connection_row(session, merchant_id, provider)
    if row is None and mode == "merge":
        raise ConnectionNotFound(provider.value)
    merge = mode == "merge" or (mode == "upsert" and row is not None)
    allow_private = change.allow_private_base_url
    url = check_base_url(change.base_url, provider, allow_private=allow_private) if change.base_url else None
    if merge:
        credentials = check_credentials(provider, change.credentials, complete=False) if change.credentials else None
        options = None
        if change.options is not None:
            stored_options = dict(row.options or {}) if row is not None else {}
            options = check_options(provider, {**stored_options, **change.options}, fill_defaults=True)
    else:
        replace = bool(change.credentials) or row is None
        credentials = check_credentials(provider, change.credentials or {}, complete=True) if replace else None
        options = check_options(provider, change.options or {}, fill_defaults=True)
    saved, created = await save_connection(
        session, cipher, merchant_id, provider,
        base_url=url, credentials=credentials, options=options, enabled=change.enabled, merge=merge,
    )
    if actor is not None:
        await _record(session, actor, saved, created, change)
    return saved, created


async def _record(
    session: AsyncSession, actor: Actor, row: ConnectionRow, created: bool, change: ConnectionChange
) -> None:
    """Which parts changed, never their values: credentials are named only as changed."""
    parts = {"base_url": change.base_url, "credentials": change.credentials, "options": change.options}
    changed = [name for name, value in parts.items() if value]
    details: dict[str, DetailValue] = {"changed": changed, "enabled": row.enabled}
    action = "connection.created" if created else "connection.changed"
    await record_activity(session, actor, action, f"connection {row.provider}", details, merchant_id=row.merchant_id)
