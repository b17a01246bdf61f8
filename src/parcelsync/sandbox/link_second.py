"""The second demo store's sandbox accounts: payments through PayPal (Orders v2), parcels tracked by AfterShip.

Like `link.py`, the sandbox side goes through each sandbox's admin API; the hub stores the
returned `SandboxConnection`s without knowing the providers (`ingest/demo_link.py`).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field

import httpx

from parcelsync.domain.provider import Provider
from parcelsync.sandbox.link import SandboxConnection
from parcelsync.sandbox.server import SandboxUrls


def capture_of(order_id: str) -> str:
    """The (sandbox) capture id of a demo order."""
    return "CAP" + order_id[-14:]


@dataclass(frozen=True)
class SecondStoreAccounts:
    """A PayPal REST app and an AfterShip account (fresh random secrets by default)."""

    client_id: str = field(default_factory=lambda: "demo-app-" + secrets.token_hex(8))
    client_secret: str = field(default_factory=lambda: secrets.token_hex(16), repr=False)
    aftership_api_key: str = field(default_factory=lambda: "asat_" + secrets.token_hex(12), repr=False)
    webhook_secret: str = field(default_factory=lambda: secrets.token_hex(16), repr=False)


async def open_second_store_accounts(
    http: httpx.AsyncClient, urls: SandboxUrls, accounts: SecondStoreAccounts, orders: Sequence[str], *,
    webhook_url: str | None,
) -> None:
    """Create the PayPal app (with a completed capture per order) and the AfterShip account."""
    responses = [
        await http.post(f"{urls.paypal}/_sandbox/apps", json={
            "client_id": accounts.client_id, "client_secret": accounts.client_secret,
            "orders": {order: [capture_of(order)] for order in orders},
        }),
        await http.post(f"{urls.aftership}/_sandbox/accounts", json={
            "api_key": accounts.aftership_api_key, "webhook_url": webhook_url,
            "webhook_secret": accounts.webhook_secret,
        }),
    ]
    for response in responses:
        response.raise_for_status()


def second_store_connections(urls: SandboxUrls, accounts: SecondStoreAccounts) -> list[SandboxConnection]:
    return [
        SandboxConnection(Provider.PAYPAL, urls.paypal,
                          {"client_id": accounts.client_id, "client_secret": accounts.client_secret}, {}),
        SandboxConnection(Provider.AFTERSHIP, urls.aftership,
                          {"api_key": accounts.aftership_api_key, "webhook_secret": accounts.webhook_secret}, {}),
    ]
