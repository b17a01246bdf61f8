"""The dashboard's browser-test server: the real app + dashboard + the three sandboxes + a sync worker, in one process.

Run as `python -m tests.e2e.server --port N --db PATH` from the repository root; it migrates and seeds a fresh SQLite
file, opens sandbox accounts for the seeded merchant, serves on 127.0.0.1:N and syncs in the background, so a
retried target really reaches the UseePay sandbox. With `--empty ACCOUNTS_JSON` it seeds nothing (no merchant: the
first run) and writes the sandbox accounts to that file, for a browser test to type into the connection forms.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
from pathlib import Path

import httpx
import uvicorn
from sqlalchemy.ext.asyncio import AsyncSession
from tests.integration.web.seed_data import MERCHANT, seed

from parcelsync.api.app import create_app
from parcelsync.db import migrate
from parcelsync.db.crypto import generate_key
from parcelsync.db.engine import unit_of_work
from parcelsync.domain.provider import Provider
from parcelsync.sandbox.link import SandboxAccounts, open_sandbox_accounts
from parcelsync.sandbox.server import Sandboxes, SandboxUrls
from parcelsync.sandbox.server import create_app as create_sandboxes
from parcelsync.security import passwords
from parcelsync.security.roles import Role
from parcelsync.settings import Settings
from parcelsync.sync.worker import Worker

PASSWORD = "e2e-admin-password"
VIEWER = "vera"
VIEWER_PASSWORD = "e2e-viewer-password"


async def seed_users(session: AsyncSession) -> None:
    """`admin` (the same password as before users existed) and a read-only viewer of the seeded merchant."""
    await passwords.create_user(session, "admin", PASSWORD, role=Role.ADMIN)
    await passwords.create_user(session, VIEWER, VIEWER_PASSWORD, merchant_id=MERCHANT, role=Role.VIEWER)


def write_accounts(path: str, root: str, accounts: SandboxAccounts) -> None:
    """What a person would copy from the three sandboxes' consoles: base URLs and credentials (tests only)."""
    urls = SandboxUrls(root)
    connections = {
        Provider.USEEPAY.value: {"base_url": urls.useepay, "credentials": accounts.credentials(Provider.USEEPAY)},
        Provider.SHOPLINE.value: {
            "base_url": urls.shopline(accounts.shop_handle), "credentials": accounts.credentials(Provider.SHOPLINE),
        },
        Provider.TRACKINGMORE.value: {
            "base_url": urls.trackingmore, "credentials": accounts.credentials(Provider.TRACKINGMORE),
        },
    }
    Path(path).write_text(json.dumps({"sandbox_root": root, "connections": connections}))


async def main(port: int, db_path: str, empty_accounts: str | None = None) -> None:
    """`empty_accounts`: leave the database empty (no merchant) and write the sandbox accounts there."""
    url = f"sqlite+aiosqlite:///{db_path}"
    await asyncio.to_thread(migrate.upgrade_sync, url)
    settings = Settings(
        database_url=url,
        secret_key=generate_key(),
        admin_password=PASSWORD,
        auto_migrate=False,
        worker_poll_interval_s=0.2,
        log_level="WARNING",
        allow_private_base_urls=True,
    )
    app = create_app(settings)
    sandbox_app = create_sandboxes(Sandboxes())
    app.mount("/sandbox", sandbox_app)
    urls = SandboxUrls(f"http://127.0.0.1:{port}/sandbox")
    accounts = SandboxAccounts()
    runtime = app.state.runtime
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=urls.root) as admin:
        await open_sandbox_accounts(admin, urls, accounts, webhook_url=None)
    if empty_accounts is not None:
        write_accounts(empty_accounts, urls.root, accounts)
    base_urls = {
        Provider.USEEPAY: urls.useepay,
        Provider.SHOPLINE: urls.shopline(accounts.shop_handle),
        Provider.TRACKINGMORE: urls.trackingmore,
    }
    credentials = {p: accounts.credentials(p) for p in base_urls}
    if empty_accounts is None:
        async with unit_of_work(runtime.sessions) as session:
            await seed(session, runtime.cipher, base_urls=base_urls, credentials=credentials)
            await seed_users(session)
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
    parser.add_argument("--empty", metavar="ACCOUNTS_JSON", help="no seed: write the sandbox accounts to this file")
    args = parser.parse_args()
    asyncio.run(main(args.port, args.db, args.empty))
