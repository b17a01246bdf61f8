"""The one registry of connectors: adding a provider is adding its folders and one line here.

Order matters only for display (dashboard, CLI): stores, then payment gateways, then
tracking providers, as the merchant's parcel travels.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx

from parcelsync.connectors.aftership.connector import CONNECTOR as AFTERSHIP_CONNECTOR
from parcelsync.connectors.inbound import StoreSource
from parcelsync.connectors.paypal.connector import CONNECTOR as PAYPAL_CONNECTOR
from parcelsync.connectors.record import Connector, Kind
from parcelsync.connectors.shopline.connector import CONNECTOR as SHOPLINE_CONNECTOR
from parcelsync.connectors.trackingmore.connector import CONNECTOR as TRACKINGMORE_CONNECTOR
from parcelsync.connectors.urls import resolved
from parcelsync.connectors.useepay.connector import CONNECTOR as USEEPAY_CONNECTOR
from parcelsync.domain.models import Connection
from parcelsync.domain.provider import Provider

CONNECTORS: tuple[Connector, ...] = (
    USEEPAY_CONNECTOR,
    PAYPAL_CONNECTOR,
    SHOPLINE_CONNECTOR,
    TRACKINGMORE_CONNECTOR,
    AFTERSHIP_CONNECTOR,
)

_BY_PROVIDER: dict[Provider, Connector] = {c.provider: c for c in CONNECTORS}
if len(_BY_PROVIDER) != len(CONNECTORS) or set(_BY_PROVIDER) != set(Provider):
    raise RuntimeError("every Provider needs exactly one registered connector")


def connector_for(provider: Provider | str) -> Connector:
    """The connector of a provider (its enum member or its id, e.g. from a database row)."""
    return _BY_PROVIDER[Provider(provider)]


def all_connectors() -> tuple[Connector, ...]:
    return CONNECTORS


def of_kind(kind: Kind) -> Iterator[Connector]:
    return (c for c in CONNECTORS if c.kind is kind)


def with_status_intake() -> Iterator[Connector]:
    """Connectors that report delivery status back (webhooks or polling)."""
    return (c for c in CONNECTORS if c.status_intake is not None)


def with_read_back() -> Iterator[Connector]:
    return (c for c in CONNECTORS if c.read_back is not None)


def with_inbound() -> Iterator[Connector]:
    """Store connectors that declare the inbound capability (their webhooks, backfill and subscription)."""
    return (c for c in CONNECTORS if c.kind is Kind.STORE and c.inbound is not None)


def inbound_source(name: str) -> StoreSource | None:
    """The inbound capability of a provider id from a URL, the CLI or a database row; None when it has none."""
    return next((c.inbound for c in with_inbound() if c.id == name), None)


def display_name(provider: Provider | str) -> str:
    """How people read the provider's name ("TrackingMore"); an unknown id is shown as it is."""
    try:
        return connector_for(provider).name
    except ValueError:
        return str(provider)


def build_client(connection: Connection, http: httpx.AsyncClient) -> object:
    """The provider client of a connection: its base URL's placeholders filled, then the connector's factory.

    The worker, reconcile, polling and the dashboard's "test connection" all build clients here.
    """
    return connector_for(connection.provider).build_client(resolved(connection), http)
