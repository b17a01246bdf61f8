"""Forwarded headers on the real app: believed from a trusted proxy only, seen by everything inside."""

from __future__ import annotations

import httpx
import pytest

from parcelsync.api import create_app
from parcelsync.db.crypto import generate_key
from parcelsync.settings import Settings

pytestmark = pytest.mark.anyio
HSTS = "strict-transport-security"


async def get_health(sqlite_database_url: str, trusted: str) -> httpx.Response:
    settings = Settings(
        database_url=sqlite_database_url, secret_key=generate_key(), auto_migrate=False, trusted_proxies=trusted
    )
    app = create_app(settings)
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.5"}
            return await client.get("/healthz", headers=forwarded)
    finally:
        await app.state.runtime.engine.dispose()


async def test_a_trusted_proxy_s_https_gets_hsts(sqlite_database_url: str) -> None:
    assert HSTS in (await get_health(sqlite_database_url, "127.0.0.1")).headers


async def test_anyone_else_s_forwarded_proto_is_ignored(sqlite_database_url: str) -> None:
    assert HSTS not in (await get_health(sqlite_database_url, "")).headers
    assert HSTS not in (await get_health(sqlite_database_url, "10.0.0.0/8")).headers
