"""Login throttling held in the database: shared by two app instances, kept across a restart, and not
defeated by rotating X-Forwarded-For (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from parcelsync.api import create_app
from parcelsync.db.crypto import generate_key
from parcelsync.db.engine import unit_of_work
from parcelsync.db.tables import WebSessionRow
from parcelsync.security import passwords
from parcelsync.settings import Settings

pytestmark = pytest.mark.anyio
FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
USER, PASSWORD = "ops", "ops-password-1"
AppFactory = Callable[..., FastAPI]


@pytest.fixture
async def make_app(database_url: str) -> AsyncIterator[AppFactory]:
    """Builds app instances on one database (as separate processes would be); the first one adds the user."""
    key = generate_key()
    built: list[FastAPI] = []

    async def add_user(app: FastAPI) -> None:
        async with unit_of_work(app.state.runtime.sessions) as session:
            await passwords.create_user(session, USER, PASSWORD)

    def factory(**overrides: object) -> FastAPI:
        app = create_app(Settings(database_url=database_url, secret_key=key, auto_migrate=False, **overrides))
        built.append(app)
        return app

    first = factory()
    await add_user(first)
    yield factory
    for app in built:
        await app.state.runtime.engine.dispose()


async def attempt(app: FastAPI, password: str, *, username: str = USER, forwarded: str | None = None) -> int:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver", headers=headers) as client:
        form = await client.get("/dashboard/login")
        token = FORM_TOKEN.search(form.text)
        assert token is not None
        data = {"username": username, "password": password, "csrf_token": token.group(1)}
        return (await client.post("/dashboard/login", data=data)).status_code


async def test_two_instances_share_the_count_and_a_restart_keeps_it(make_app: AppFactory) -> None:
    one, two = make_app(), make_app()
    for app in (one, two, one, two, one):
        assert await attempt(app, "wrong-guess") == 401
    assert await attempt(two, PASSWORD) == 429
    assert await attempt(one, PASSWORD) == 429
    restarted = make_app()
    assert await attempt(restarted, PASSWORD) == 429


async def test_rotating_x_forwarded_for_from_localhost_does_not_reset_the_lockout(make_app: AppFactory) -> None:
    app = make_app()  # default: no trusted proxies, so X-Forwarded-For is ignored
    for n in range(5):
        assert await attempt(app, "wrong-guess", forwarded=f"203.0.113.{n}") == 401
    assert await attempt(app, PASSWORD, forwarded="198.51.100.77") == 429


async def test_behind_a_trusted_proxy_the_account_limit_still_holds(make_app: AppFactory) -> None:
    app = make_app(trusted_proxies="127.0.0.1")
    for n in range(20):  # a new address every time: the per-(account, address) limit never trips
        assert await attempt(app, "wrong-guess", forwarded=f"203.0.113.{n}") == 401
    assert await attempt(app, PASSWORD, forwarded="198.51.100.77") == 429
    assert await attempt(app, "x", username="someone-else", forwarded="198.51.100.77") == 401


async def test_one_address_is_limited_across_accounts(make_app: AppFactory) -> None:
    app = make_app(trusted_proxies="127.0.0.1")
    for n in range(50):
        assert await attempt(app, "wrong-guess", username=f"user-{n}", forwarded="203.0.113.9") == 401
    assert await attempt(app, PASSWORD, forwarded="203.0.113.9") == 429
    assert await attempt(app, PASSWORD, forwarded="203.0.113.10") == 303


async def test_the_session_records_the_address_a_trusted_proxy_forwarded(make_app: AppFactory) -> None:
    app = make_app(trusted_proxies="127.0.0.1")
    assert await attempt(app, PASSWORD, forwarded="1.1.1.1, 203.0.113.50") == 303
    untrusted = make_app()
    assert await attempt(untrusted, PASSWORD, forwarded="203.0.113.51") == 303
    async with unit_of_work(app.state.runtime.sessions) as session:
        ips = sorted((await session.execute(select(WebSessionRow.ip))).scalars())
    assert ips == ["127.0.0.1", "203.0.113.50"]
