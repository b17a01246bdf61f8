"""Wire a merchant to the sandboxes: open accounts there, and say which connections the hub should store.

Used by `parcelsync demo` and by the acceptance tests; the sandbox side goes through each
sandbox's public admin API (`/_sandbox/...`), so it works in-process or against a running server.
The hub side (`ingest/demo_link.py`) stores `sandbox_connections` without knowing any provider.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any

import httpx

from parcelsync.domain.provider import Provider
from parcelsync.sandbox.server import SandboxUrls


@dataclass(frozen=True, slots=True)
class SandboxConnection:
    """One connection the hub stores to reach a sandbox."""

    provider: Provider
    base_url: str
    credentials: dict[str, str]
    options: dict[str, Any]


def _token(prefix: str) -> str:
    return prefix + secrets.token_hex(12)


@dataclass(frozen=True)
class SandboxAccounts:
    """The credentials one merchant uses at the three sandboxes (fresh random secrets by default)."""

    merchant_no: str = "500000000009001"
    app_id: str = "parcelsync.demo"
    useepay_api_key: str = field(default_factory=lambda: _token("UseePay_SK_"), repr=False)
    shop_handle: str = "demo-store"
    shopline_token: str = field(default_factory=lambda: _token("shpat_"), repr=False)
    shopline_app_secret: str = field(default_factory=lambda: _token("shpss_"), repr=False)
    trackingmore_api_key: str = field(default_factory=lambda: _token("tm_"), repr=False)
    account_email: str = "ops@demo.example"
    webhooks: bool = True
    shopline_options: dict[str, Any] = field(default_factory=dict)
    shopline_rate_limit: bool = True

    def credentials(self, provider: Provider) -> dict[str, str]:
        if provider is Provider.USEEPAY:
            return {"merchant_no": self.merchant_no, "app_id": self.app_id, "api_key": self.useepay_api_key}
        if provider is Provider.SHOPLINE:
            return {"handle": self.shop_handle, "access_token": self.shopline_token,
                    "app_secret": self.shopline_app_secret}
        return {"api_key": self.trackingmore_api_key, "account_email": self.account_email}


async def open_sandbox_accounts(
    http: httpx.AsyncClient, urls: SandboxUrls, accounts: SandboxAccounts, *, webhook_url: str | None
) -> None:
    """Create the merchant's UseePay merchant, SHOPLINE store and TrackingMore account in the sandboxes."""
    responses = [
        await http.post(
            f"{urls.useepay}/_sandbox/merchants",
            json={
                "merchant_no": accounts.merchant_no, "app_id": accounts.app_id, "api_key": accounts.useepay_api_key,
                "payment_intents": [], "accept_any_payment_intent": True,
            },
        ),
        await http.post(
            f"{urls.shopline_admin}/_sandbox/stores",
            json={
                "handle": accounts.shop_handle, "access_token": accounts.shopline_token,
                "rate_limit": accounts.shopline_rate_limit, "auto_create": True,
                "app_secret": accounts.shopline_app_secret,
            },
        ),
        await http.post(
            f"{urls.trackingmore_admin}/_sandbox/accounts",
            json={
                "api_key": accounts.trackingmore_api_key, "email": accounts.account_email,
                "webhook_url": webhook_url if accounts.webhooks else None,
            },
        ),
    ]
    for response in responses:
        response.raise_for_status()


def sandbox_connections(urls: SandboxUrls, accounts: SandboxAccounts) -> list[SandboxConnection]:
    """The merchant's three connections, pointing at the sandboxes."""
    return [
        SandboxConnection(Provider.USEEPAY, urls.useepay, accounts.credentials(Provider.USEEPAY), {}),
        SandboxConnection(
            Provider.SHOPLINE, urls.shopline(accounts.shop_handle), accounts.credentials(Provider.SHOPLINE),
            dict(accounts.shopline_options),
        ),
        SandboxConnection(
            Provider.TRACKINGMORE, urls.trackingmore, accounts.credentials(Provider.TRACKINGMORE),
            {"webhooks": accounts.webhooks},
        ),
    ]


async def accept_only_payment_intents(
    http: httpx.AsyncClient, urls: SandboxUrls, accounts: SandboxAccounts, known: list[str]
) -> None:
    """Make the gateway sandbox know only these payment intents: an upload for any other is rejected."""
    response = await http.post(
        f"{urls.useepay}/_sandbox/merchants",
        json={
            "merchant_no": accounts.merchant_no, "app_id": accounts.app_id, "api_key": accounts.useepay_api_key,
            "payment_intents": known, "accept_any_payment_intent": False,
        },
    )
    response.raise_for_status()
