"""A "test connection" call: the connector's harmless probe, through the client the worker uses, with a verdict."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from parcelsync.connectors.registry import build_client, connector_for
from parcelsync.domain.models import Connection
from parcelsync.providers.errors import AuthError, ConnectionBlocked, NotFound, ProviderError, RateLimited, Retryable


@dataclass(frozen=True, slots=True)
class ProbeResult:
    ok: bool
    message: str


async def _call(conn: Connection, http: httpx.AsyncClient) -> None:
    await connector_for(conn.provider).probe(build_client(conn, http))


async def test_connection(conn: Connection, http: httpx.AsyncClient) -> ProbeResult:
    """Call the provider once; never raises, never echoes credentials."""
    try:
        await _call(conn, http)
    except NotFound:
        return ProbeResult(True, "Connected: credentials accepted")
    except AuthError:
        return ProbeResult(False, "Credentials rejected by the provider")
    except RateLimited:
        return ProbeResult(False, "The provider is rate limiting this connection; try again shortly")
    except ConnectionBlocked as exc:
        return ProbeResult(False, f"Connection blocked: {exc.reason}")
    except Retryable:
        return ProbeResult(False, "Provider unreachable or failing (network error or 5xx)")
    except ProviderError as exc:
        return ProbeResult(False, f"The provider refused the test call: {exc.reason}")
    except ValueError as exc:
        return ProbeResult(False, f"Connection settings are invalid: {exc}")
    return ProbeResult(True, "Connected")
