"""A "test connection" call: one harmless, read-only-in-effect request per provider, with a short verdict.

TrackingMore: GET /trackings/getuserinfo. UseePay: retrieve the tracker of a payment intent that
cannot exist (404 proves the credentials were accepted). SHOPLINE has no read endpoint in the
seeds, so it sends update_tracking to an order id that cannot exist: the store authenticates the
token first and then answers 404, and nothing can change.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from parcelsync.domain.models import Connection
from parcelsync.domain.provider import Provider
from parcelsync.providers.errors import AuthError, ConnectionBlocked, NotFound, ProviderError, RateLimited, Retryable
from parcelsync.providers.shopline.client import ShoplineClient
from parcelsync.providers.shopline.mapping import TrackingEntry
from parcelsync.providers.trackingmore.client import TrackingMoreClient
from parcelsync.providers.useepay.client import UseePayClient

PROBE_ID = "parcelsync-connection-test"


@dataclass(frozen=True, slots=True)
class ProbeResult:
    ok: bool
    message: str


async def _call(conn: Connection, http: httpx.AsyncClient) -> None:
    creds = conn.credentials
    if conn.provider is Provider.TRACKINGMORE:
        await TrackingMoreClient(http, base_url=conn.base_url, api_key=creds.get("api_key", "")).get_user_info()
    elif conn.provider is Provider.USEEPAY:
        client = UseePayClient(
            http,
            base_url=conn.base_url,
            merchant_no=creds.get("merchant_no", ""),
            app_id=creds.get("app_id", ""),
            api_key=creds.get("api_key", ""),
            **({"api_version": conn.options["api_version"]} if conn.options.get("api_version") else {}),
        )
        await client.retrieve_tracker(PROBE_ID)
    else:
        shopline = ShoplineClient(
            http,
            base_url=conn.base_url,
            access_token=creds.get("access_token", ""),
            **({"api_version": conn.options["api_version"]} if conn.options.get("api_version") else {}),
        )
        await shopline.update_tracking(PROBE_ID, PROBE_ID, [TrackingEntry(None, "PARCELSYNCTEST", None)])


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
