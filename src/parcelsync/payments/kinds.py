"""Which providers are payment gateways or stores: asked of the connector registry, never of a name."""

from __future__ import annotations

from parcelsync.connectors.record import Kind
from parcelsync.connectors.registry import connector_for


def kind_of(provider: str) -> Kind | None:
    """The kind of a provider by its name; None for a name no connector claims."""
    try:
        return connector_for(provider).kind
    except (KeyError, ValueError):
        return None
