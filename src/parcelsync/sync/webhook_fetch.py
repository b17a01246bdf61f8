"""Webhooks as triggers: under a connection option (TrackingMore `webhook_fetch`) the hub ignores a verified
webhook's data and fetches the named tracking's current state from the provider instead.

The client is the connector's one (`build_client`, as polling and the worker use) on an HTTP client from
the app's `provider_http_factory`; the fetch goes through the connector's polling code, so there is one
parser. A fetch fails as a `ProviderError`, which the caller answers with a retryable status.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import httpx

from parcelsync.connectors.intake import FetchingIntake, StatusIntake, StatusUpdate
from parcelsync.connectors.registry import build_client
from parcelsync.domain.models import Connection

HttpFactory = Callable[[], httpx.AsyncClient]


def default_http() -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=10.0, follow_redirects=False)


def fetching(intake: StatusIntake, options: Mapping[str, Any]) -> FetchingIntake | None:
    """The intake, when this connection's webhooks are to trigger a fetch (the option is on and the
    connector can fetch); None: apply the webhook's own data."""
    if isinstance(intake, FetchingIntake) and intake.wants_fetch(options):
        return intake
    return None


async def fetch_named(
    intake: FetchingIntake, connection: Connection, named: StatusUpdate, http_factory: HttpFactory | None
) -> Sequence[StatusUpdate]:
    """The provider's current state of the tracking a webhook names."""
    async with (http_factory or default_http)() as http:
        return await intake.fetch_named(build_client(connection, http), named)
