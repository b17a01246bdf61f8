"""The real app (api.app.create_app + the dashboard) over a migrated SQLite file, seeded, driven through httpx."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI
from tests.integration.web.seed_data import Seeded, seed

from parcelsync.api.app import create_app
from parcelsync.db.crypto import generate_key
from parcelsync.db.engine import unit_of_work
from parcelsync.settings import Settings

PASSWORD = "correct horse battery"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Dash:
    app: FastAPI
    client: httpx.AsyncClient
    seeded: Seeded
    csrf: str = ""

    async def login(self) -> None:
        page = await self.client.get("/dashboard/login")
        token = CSRF_RE.search(page.text)
        assert token is not None
        response = await self.client.post(
            "/dashboard/login",
            data={"username": "admin", "password": PASSWORD, "csrf_token": token.group(1), "next": "/dashboard/"},
        )
        assert response.status_code == 303, response.text
        home = await self.client.get("/dashboard/")
        found = CSRF_RE.search(home.text)
        assert found is not None
        self.csrf = found.group(1)


@pytest.fixture
async def dash(sqlite_database_url: str) -> AsyncIterator[Dash]:
    settings = Settings(
        database_url=sqlite_database_url, secret_key=generate_key(), admin_password=PASSWORD, auto_migrate=False
    )
    app = create_app(settings)
    runtime = app.state.runtime
    async with unit_of_work(runtime.sessions) as session:
        seeded = await seed(session, runtime.cipher)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Dash(app, client, seeded)
    await runtime.engine.dispose()


@pytest.fixture
async def logged_in(dash: Dash) -> Dash:
    await dash.login()
    return dash
