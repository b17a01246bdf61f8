"""The dashboard on an EMPTY database (SQLite and PostgreSQL), logged in as the admin, sandboxes on the transport."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI

from parcelsync.db.crypto import generate_key
from parcelsync.sandbox.link import SandboxAccounts, open_sandbox_accounts
from parcelsync.sandbox.server import Sandboxes, SandboxUrls
from parcelsync.sandbox.server import create_app as create_sandboxes
from parcelsync.settings import Settings

PASSWORD = "setup admin password"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
SANDBOX_ROOT = "http://sandbox.test"


@dataclass
class Setup:
    app: FastAPI
    client: httpx.AsyncClient
    accounts: SandboxAccounts
    urls: SandboxUrls
    csrf: str = ""

    async def post(self, path: str, data: dict[str, str] | None = None, **kw: object) -> httpx.Response:
        return await self.client.post(path, data={"csrf_token": self.csrf, **(data or {})}, **kw)  # type: ignore[arg-type]


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, secret_key=generate_key(), admin_password=PASSWORD, auto_migrate=False)


@pytest.fixture
async def setup(app: FastAPI) -> AsyncIterator[Setup]:
    """Logged in as admin on a hub without merchants; "test connection" reaches the sandboxes in-process."""
    sandboxes = create_sandboxes(Sandboxes())
    sandbox_transport = httpx.ASGITransport(app=sandboxes)
    app.state.dashboard.http_factory = lambda: httpx.AsyncClient(transport=sandbox_transport)
    urls = SandboxUrls(SANDBOX_ROOT)
    accounts = SandboxAccounts()
    async with httpx.AsyncClient(transport=sandbox_transport, base_url=SANDBOX_ROOT) as admin:
        await open_sandbox_accounts(admin, urls, accounts, webhook_url=None)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        login = await client.get("/dashboard/login")
        token = CSRF_RE.search(login.text)
        assert token is not None
        done = await client.post(
            "/dashboard/login",
            data={"username": "admin", "password": PASSWORD, "csrf_token": token.group(1), "next": "/dashboard/"},
        )
        assert done.status_code == 303, done.text
        page = await client.get("/dashboard/setup/store")
        found = CSRF_RE.search(page.text)
        assert found is not None
        yield Setup(app, client, accounts, urls, found.group(1))
