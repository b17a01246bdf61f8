"""The real app over a fresh database (SQLite and PostgreSQL) with the sample order for two merchants."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI

from parcelsync.api.app import create_app
from parcelsync.db.crypto import generate_key
from parcelsync.db.engine import unit_of_work
from parcelsync.db.queries.merchants import create_merchant
from parcelsync.security.tokens import Scope, create_token
from parcelsync.settings import Settings
from parcelsync.tracking_page.sample import seed_sample

MERCHANT = "northwind"
OTHER = "globex"
MISS_FLOOR_MS = 120.0


@dataclass
class Site:
    app: FastAPI
    client: httpx.AsyncClient
    admin: str

    @property
    def admin_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin}"}


def site_settings(database_url: str, **extra: object) -> Settings:
    values: dict[str, object] = {"tracking_miss_floor_ms": MISS_FLOOR_MS, **extra}
    return Settings(database_url=database_url, secret_key=generate_key(), auto_migrate=False, **values)  # type: ignore[arg-type]


async def seeded_site(settings: Settings) -> AsyncIterator[Site]:
    app = create_app(settings)
    runtime = app.state.runtime
    async with unit_of_work(runtime.sessions) as session:
        await create_merchant(session, "Northwind Goods Ltd", MERCHANT)
        await create_merchant(session, "Globex", OTHER)
        await seed_sample(session, MERCHANT, other_merchant=OTHER)
        admin = (await create_token(session, scope=Scope.ADMIN, name="tests")).secret
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield Site(app, client, admin)
    await runtime.engine.dispose()


@pytest.fixture
async def site(database_url: str) -> AsyncIterator[Site]:
    async for s in seeded_site(site_settings(database_url, public_base_url="https://track.example.com")):
        yield s


@pytest.fixture
async def sqlite_site(sqlite_database_url: str) -> AsyncIterator[Site]:
    async for s in seeded_site(site_settings(sqlite_database_url)):
        yield s
