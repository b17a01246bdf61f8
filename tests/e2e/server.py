"""The dashboard's browser-test server: the real app + dashboard + the three sandboxes + a sync worker, in one process.

Run as `python -m tests.e2e.server --port N --db PATH` from the repository root; it migrates and seeds a fresh SQLite
file, opens sandbox accounts for the seeded merchant, serves on 127.0.0.1:N and syncs in the
background, so a retried target really reaches the UseePay sandbox.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib

import httpx
import uvicorn
from tests.integration.web.seed_data import seed

from parcelsync.api.app import create_app
from parcelsync.db import migrate
from parcelsync.db.crypto import generate_key
from parcelsync.db.engine import unit_of_work
from parcelsync.domain.provider import Provider
from parcelsync.sandbox.link import SandboxAccounts, open_sandbox_accounts
from parcelsync.sandbox.server import Sandboxes, SandboxUrls
from parcelsync.sandbox.server import create_app as create_sandboxes
from parcelsync.settings import Settings
from parcelsync.sync.worker import Worker

PASSWORD = "e2e-admin-password"


async def main(port: int, db_path: str) -> None:
    url = f"sqlite+aiosqlite:///{db_path}"
    await asyncio.to_thread(migrate.upgrade_sync, url)
    settings = Settings(
        database_url=url,
        secret_key=generate_key(),
        admin_password=PASSWORD,
        auto_migrate=False,
        worker_poll_interval_s=0.2,
        log_level="WARNING",
    )
    app = create_app(settings)
    sandbox_app = create_sandboxes(Sandboxes())
    app.mount("/sandbox", sandbox_app)
    urls = SandboxUrls(f"http://127.0.0.1:{port}/sandbox")
    accounts = SandboxAccounts()
    runtime = app.state.runtime
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=urls.root) as admin:
        await open_sandbox_accounts(admin, urls, accounts, webhook_url=None)
    base_urls = {
        Provider.USEEPAY: urls.useepay,
        Provider.SHOPLINE: urls.shopline(accounts.shop_handle),
        Provider.TRACKINGMORE: urls.trackingmore,
    }
    credentials = {p: accounts.credentials(p) for p in base_urls}
    async with unit_of_work(runtime.sessions) as session:
        await seed(session, runtime.cipher, base_urls=base_urls, credentials=credentials)
    server = uvicorn.Server(uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="off", proxy_headers=False
    ))
    async with Worker(runtime.sessions, settings, cipher=runtime.cipher, concurrency=2) as worker:
        work = asyncio.create_task(worker.run(grace_s=1.0))
        try:
            await server.serve()
        finally:
            worker.stop()
            with contextlib.suppress(Exception):
                await work
            await runtime.engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--db", required=True)
    args = parser.parse_args()
    asyncio.run(main(args.port, args.db))
