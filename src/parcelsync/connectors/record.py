"""The `Connector` record: everything parcelsync knows about one provider, and a Protocol per capability.

Generic code (worker, planner, snapshots, search, dashboard, CLI, reconcile, status intake)
never names a provider: it looks the connector up in `connectors.registry` and asks it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

import httpx
from pydantic import BaseModel

from parcelsync.connectors.calls import BatchOutcome, SendContext, TargetSnapshot
from parcelsync.connectors.keys import KeyShape
from parcelsync.domain.carriers import CarrierCodes
from parcelsync.domain.models import Connection
from parcelsync.domain.provider import Provider

if TYPE_CHECKING:
    from parcelsync.connectors.carriers import CarrierNamer
    from parcelsync.connectors.inbound import StoreSource
    from parcelsync.connectors.intake import StatusIntake
    from parcelsync.connectors.readback import ReadBack


class Kind(StrEnum):
    """What a provider is to the merchant."""

    STORE = "store"
    PAYMENT_GATEWAY = "payment gateway"
    TRACKING_PROVIDER = "tracking provider"


class MissingCredential(ValueError):
    """The connection lacks a credential its provider needs."""


def need(connection: Connection, name: str) -> str:
    """A credential the client cannot work without."""
    value = connection.credentials.get(name)
    if not value:
        raise MissingCredential(f"{connection.provider.value} connection has no {name!r} credential")
    return value


class ClientFactory(Protocol):
    """Builds the provider client of a connection (base URL already resolved) on a shared httpx client."""

    def __call__(self, connection: Connection, http: httpx.AsyncClient) -> object: ...


class Sender(Protocol):
    """Sends a batch of claimed targets: one outcome per target, one record per call; never raises for a target."""

    async def __call__(self, ctx: SendContext, snapshots: Sequence[TargetSnapshot]) -> BatchOutcome: ...


class Prober(Protocol):
    """One harmless call proving the credentials work (NotFound counts as accepted)."""

    async def __call__(self, client: object) -> None: ...


@dataclass(frozen=True, slots=True)
class Connector:
    """One provider, self-contained: identity, targets, pacing, connection models, client, send, probe.

    - `key`: the shipment fields naming one destination record (and the skip reason when missing).
    - `tracks_deletions`: a deleted parcel is still sent (to remove it) instead of leaving its target.
    - `batch_size`: targets per claim; `pacing`: how the client spaces its calls (shown to people).
    - `credentials` / `options`: pydantic models; they drive API validation, CLI help and forms.
    - `production_url`: used when a connection gives no base URL; `{handle}` is filled from credentials.
    - `build_client`: the one factory (the worker, reconcile and "test connection" all use it).
    - `carrier_codes`: the provider's name for each canonical carrier, and its fallback
      (`providers/<name>/carriers.py`); `connectors.carriers.default_registry` hands them to the registry.
    - `read_back` (reconcile) and `status_intake` (webhooks, polling) are optional capabilities.
    - `inbound` (stores only, optional): the store as a source (its webhooks, backfill, subscription).
    - `public_credentials`: credential names that are identifiers, not secrets (shown in full, never masked).
    - `carrier_name` (optional): what the provider receives for a carrier, when not the registry's column.
    """

    provider: Provider
    name: str
    kind: Kind
    key: KeyShape
    batch_size: int
    pacing: str
    credentials: type[BaseModel]
    options: type[BaseModel]
    production_url: str
    build_client: ClientFactory
    send: Sender
    probe: Prober
    carrier_codes: CarrierCodes
    tracks_deletions: bool = False
    read_back: ReadBack | None = None
    status_intake: StatusIntake | None = None
    inbound: StoreSource | None = None
    public_credentials: tuple[str, ...] = ()
    carrier_name: CarrierNamer | None = None
    """What the provider receives for a carrier, when not the registry's column (`connectors.carriers`)."""

    @property
    def id(self) -> str:
        """The provider's value in the API, the database and URLs."""
        return self.provider.value

    def required_credentials(self) -> tuple[str, ...]:
        return tuple(n for n, f in self.credentials.model_fields.items() if f.is_required())

    def optional_credentials(self) -> tuple[str, ...]:
        return tuple(n for n, f in self.credentials.model_fields.items() if not f.is_required())
