"""What a claim is sent with besides its shipments, read in one query: the merchant's connections, default
payment gateway, tracking-page-links switch and whether it has carrier overrides.

The worker used to spend five round trips per claim on these (the connection, the overrides, the
connected gateways, the gateway setting, the tracking page). `read_merchant` is one Core SELECT over the
merchant's connections (a handful of rows) with the rest as scalar subqueries; the overrides themselves
are read only when there are some. `Connections` keeps each connection decrypted, with its client, for
as long as the row read in the claim's own transaction is unchanged (same base URL, ciphertext, options
and enabled flag), so an edit, a new credential or a disable takes effect on the very next claim while
an unchanged connection is neither decrypted nor fingerprinted again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import BindParameter, Table, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.connectors.carriers import default_registry
from parcelsync.db.crypto import CredentialCipher
from parcelsync.db.queries.carrier_overrides import registry_for
from parcelsync.db.queries.connections import decrypted
from parcelsync.db.tables import CarrierOverrideRow, ConnectionRow, PaymentSettingsRow, TrackingPageRow
from parcelsync.domain.carriers import CarrierRegistry
from parcelsync.domain.models import Connection
from parcelsync.domain.provider import Provider
from parcelsync.logging import register_secrets
from parcelsync.sync.clients import ClientCache
from parcelsync.sync.gateways import choose_default, gateway_providers

C = cast(Table, ConnectionRow.__table__).c


@dataclass(frozen=True, slots=True)
class StoredConnection:
    """A connection row as stored: credentials still encrypted."""

    provider: str
    base_url: str
    credentials_enc: str
    options: dict[str, Any]
    enabled: bool


@dataclass(frozen=True, slots=True)
class MerchantSync:
    """The merchant settings every claim needs: its connections by provider, default gateway, links switch."""

    merchant_id: str
    connections: dict[str, StoredConnection]
    gateway: str | None
    page_links: bool
    overrides: int

    async def registry(self, session: AsyncSession) -> CarrierRegistry:
        """The carrier registry with the merchant's overrides (`registry_for`), read only when there are any."""
        if not self.overrides:
            return default_registry()
        return await registry_for(session, self.merchant_id, default_registry())


def _merchant_statement() -> Any:
    merchant: BindParameter[str] = bindparam("m")
    settings, page = cast(Table, PaymentSettingsRow.__table__).c, cast(Table, TrackingPageRow.__table__).c
    overrides_table = cast(Table, CarrierOverrideRow.__table__)
    chosen = select(settings.default_payment_gateway).where(settings.merchant_id == merchant)
    links = select(page.tracking_page_links).where(page.merchant_id == merchant)
    overrides = select(func.count()).select_from(overrides_table).where(overrides_table.c.merchant_id == merchant)
    return select(
        C.provider, C.base_url, C.credentials_enc, C.options, C.enabled,
        chosen.scalar_subquery().label("chosen"), links.scalar_subquery().label("links"),
        overrides.scalar_subquery().label("overrides"),
    ).where(C.merchant_id == merchant)


MERCHANT_SYNC = _merchant_statement()


async def read_merchant(session: AsyncSession, merchant_id: str) -> MerchantSync:
    """One query: the merchant's connections, and what `default_gateway`, `links_enabled` and the overrides say."""
    rows = (await session.execute(MERCHANT_SYNC, {"m": merchant_id})).all()
    connections = {
        r.provider: StoredConnection(r.provider, r.base_url, r.credentials_enc, dict(r.options or {}), r.enabled)
        for r in rows
    }
    gateways = gateway_providers()
    connected = {p for p, c in connections.items() if c.enabled and p in gateways}
    first = rows[0] if rows else None
    return MerchantSync(
        merchant_id=merchant_id,
        connections=connections,
        gateway=choose_default(connected, first.chosen if first is not None else None),
        page_links=bool(first is not None and first.links),
        overrides=int(first.overrides or 0) if first is not None else 0,
    )


@dataclass(slots=True)
class _Held:
    stored: StoredConnection
    connection: Connection
    client: object | None = None


class Connections:
    """Decrypted connections and their clients per (merchant, provider), kept while the stored row is the same."""

    def __init__(self, clients: ClientCache, cipher: Callable[[], CredentialCipher]) -> None:
        self.clients = clients
        self._cipher = cipher
        self._held: dict[tuple[str, str], _Held] = {}

    def connection(self, merchant_id: str, stored: StoredConnection) -> Connection:
        """The connection with its credentials decrypted (raises SecretKeyError like `load_connection`)."""
        key = (merchant_id, stored.provider)
        held = self._held.get(key)
        if held is None or held.stored != stored:
            self._held.pop(key, None)
            connection = decrypted(
                self._cipher(), merchant_id, Provider(stored.provider), stored.base_url, stored.credentials_enc,
                stored.options, stored.enabled,
            )
            held = self._held[key] = _Held(stored, connection)
        return held.connection

    def client(self, connection: Connection) -> object:
        """The connection's client (`ClientCache.get`, which raises MissingCredential); its secrets are
        (still) masked in every log line."""
        held = self._held.get((connection.merchant_id, connection.provider.value))
        if held is not None and held.connection is connection and held.client is not None:
            client = held.client
        else:
            client = self.clients.get(connection)
            if held is not None and held.connection is connection:
                held.client = client
        register_secrets(connection.credentials.values())
        return client
