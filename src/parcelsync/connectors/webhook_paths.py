"""Where a provider posts its webhooks for a merchant: the one place their paths are spelled.

A connector with status intake (a tracking provider's status webhooks) or the inbound capability
(a store's fulfillment webhooks) receives them at `/v1/webhooks/{provider}/{merchant_id}`.
"""

from __future__ import annotations

from parcelsync.connectors.record import Connector

WEBHOOKS_PREFIX = "/v1/webhooks"
MERCHANT_SEGMENT = "{merchant_id}"


def route_path(connector: Connector) -> str:
    """The route's path inside the webhooks router, with its `{merchant_id}` parameter."""
    return f"/{connector.id}/{MERCHANT_SEGMENT}"


def inbound_webhook_path(connector: Connector, merchant_id: str) -> str | None:
    """The path this merchant gives the provider for its webhooks; None when the provider sends none."""
    if connector.status_intake is None and connector.inbound is None:
        return None
    return WEBHOOKS_PREFIX + route_path(connector).replace(MERCHANT_SEGMENT, merchant_id)
