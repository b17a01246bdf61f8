"""An API client on a fresh database (SQLite and PostgreSQL), with one merchant."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from parcelsync.db.crypto import generate_key
from parcelsync.db.engine import unit_of_work
from parcelsync.security.tokens import Scope, create_token
from parcelsync.settings import Settings

MERCHANT = "acme"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, secret_key=generate_key(), auto_migrate=False, batch_max_items=1000)


@pytest.fixture
async def admin_token(app: FastAPI) -> str:
    async with unit_of_work(app.state.runtime.sessions) as session:
        return (await create_token(session, scope=Scope.ADMIN, name="tests")).secret


@pytest.fixture
async def client(app: FastAPI, admin_token: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client holding an admin token."""
    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {admin_token}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://test", headers=headers) as http:
        yield http


@pytest.fixture
async def merchant(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """The client, with a merchant created and selected through X-Merchant-Id."""
    response = await client.post("/v1/merchants", json={"id": MERCHANT, "name": "Acme Ltd"})
    assert response.status_code == 201, response.text
    client.headers["X-Merchant-Id"] = MERCHANT
    return client
