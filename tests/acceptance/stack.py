"""The whole loop in one process: the real API app, a worker, and the three sandboxes, all over ASGI.

TrackingMore's webhooks are delivered by the sandbox to the API app through an ASGI transport, so
status changes flow back exactly as they would over the network.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI
from tests.integration.sync.sync_harness import FakeClock

from parcelsync.api import create_app
from parcelsync.db.crypto import generate_key
from parcelsync.db.engine import unit_of_work
from parcelsync.domain.provider import Provider
from parcelsync.sandbox.link import SandboxAccounts, open_sandbox_accounts
from parcelsync.sandbox.server import Sandboxes, SandboxUrls
from parcelsync.sandbox.server import create_app as create_sandbox_app
from parcelsync.security.tokens import create_token
from parcelsync.settings import Settings
from parcelsync.sync.retry import RetryPolicy
from parcelsync.sync.worker import Worker

MERCHANT = "acme"
HUB = "http://hub"
SANDBOX = "http://sandbox"


@dataclass
class Stack:
    api: FastAPI
    hub: httpx.AsyncClient
    sandbox: httpx.AsyncClient
    sandboxes: Sandboxes
    urls: SandboxUrls
    accounts: SandboxAccounts
    settings: Settings
    clock: FakeClock

    def worker(self, **kw: Any) -> Worker:
        runtime = self.api.state.runtime
        kw.setdefault("policy", RetryPolicy(0.0, 0.0, self.settings.max_attempts))
        kw.setdefault("concurrency", 4)
        return Worker(runtime.sessions, self.settings, http=self.sandbox, clock=self.clock, cipher=runtime.cipher, **kw)

    async def sync_status(self) -> dict[str, Any]:
        response = await self.hub.get("/v1/sync/status", headers={"X-Merchant-Id": MERCHANT})
        response.raise_for_status()
        return response.json()  # type: ignore[no-any-return]

    async def drain(self, worker: Worker, *, step_s: float = 5.0, rounds: int = 200) -> None:
        """Run the worker until the merchant's queue is empty, moving the fake clock past backoffs."""
        for _ in range(rounds):
            await worker.run_once()
            status = await self.sync_status()
            if not any(q["depth"] for q in status["queues"].values()):
                return
            self.clock.advance(step_s)
        raise AssertionError(f"queue did not drain: {status}")

    async def post_batch(self, items: list[dict[str, Any]]) -> dict[str, Any]:
        response = await self.hub.post(
            "/v1/shipments/batch", json={"items": items}, headers={"X-Merchant-Id": MERCHANT}
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        assert body["summary"]["rejected"] == 0, body
        return body

    async def shipments(self) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {"limit": 500, **({"cursor": cursor} if cursor else {})}
            page = (await self.hub.get("/v1/shipments", params=params, headers={"X-Merchant-Id": MERCHANT})).json()
            items += page["items"]
            cursor = page["next_cursor"]
            if not cursor:
                return items


@asynccontextmanager
async def running_stack(database_url: str, *, webhooks: bool = True, **settings_kw: Any) -> AsyncIterator[Stack]:
    """API + sandboxes wired together, a merchant connected to all three providers through the API."""
    settings = Settings(database_url=database_url, secret_key=generate_key(), auto_migrate=False, **settings_kw)
    api = create_app(settings)
    async with api.router.lifespan_context(api):
        async with unit_of_work(api.state.runtime.sessions) as session:
            token = (await create_token(session, scope="admin", merchant_id=None, name="acceptance")).secret
        auth = {"Authorization": f"Bearer {token}"}
        async with (
            httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url=HUB, headers=auth) as hub,
            httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url=HUB) as pusher,
        ):
            sandboxes = Sandboxes()
            sandbox_app = create_sandbox_app(sandboxes, webhook_client=pusher)
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=sandbox_app), base_url=SANDBOX, timeout=30
            ) as sandbox:
                urls = SandboxUrls(SANDBOX)
                accounts = SandboxAccounts(webhooks=webhooks, shopline_rate_limit=False)
                await open_sandbox_accounts(
                    sandbox, urls, accounts, webhook_url=f"{HUB}/v1/webhooks/trackingmore/{MERCHANT}"
                )
                await connect_merchant(hub, urls, accounts)
                yield Stack(api, hub, sandbox, sandboxes, urls, accounts, settings, FakeClock())


async def connect_merchant(hub: httpx.AsyncClient, urls: SandboxUrls, accounts: SandboxAccounts) -> None:
    """Create the merchant and its three connections through the public API."""
    created = await hub.post("/v1/merchants", json={"id": MERCHANT, "name": "Acme Cross-Border"})
    assert created.status_code == 201, created.text
    connections = {
        Provider.USEEPAY: (urls.useepay, {}),
        Provider.SHOPLINE: (urls.shopline(accounts.shop_handle), {"rate_per_second": 1000, "bucket_size": 1000}),
        Provider.TRACKINGMORE: (urls.trackingmore, {"webhooks": accounts.webhooks}),
    }
    for provider, (base_url, options) in connections.items():
        response = await hub.put(
            f"/v1/merchants/{MERCHANT}/connections/{provider.value}",
            json={"base_url": base_url, "credentials": accounts.credentials(provider), "options": options},
        )
        assert response.status_code in (200, 201), response.text
