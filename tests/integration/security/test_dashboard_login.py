"""Dashboard login against the users table, with the admin-password fallback and brute-force throttling."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from parcelsync.api import create_app
from parcelsync.db.crypto import generate_key
from parcelsync.db.engine import unit_of_work
from parcelsync.db.tables import MerchantRow
from parcelsync.security import passwords
from parcelsync.settings import Settings

pytestmark = pytest.mark.anyio
ADMIN_PASSWORD = "admin-fallback-pw"
FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
async def dashboard(sqlite_database_url: str) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    settings = Settings(
        database_url=sqlite_database_url, secret_key=generate_key(), admin_password=ADMIN_PASSWORD, auto_migrate=False
    )
    app = create_app(settings)
    async with unit_of_work(app.state.runtime.sessions) as session:
        session.add_all([MerchantRow(id="alpha", name="Alpha"), MerchantRow(id="bravo", name="Bravo")])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://testserver") as client:
        yield app, client
    await app.state.runtime.engine.dispose()


async def login(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    client.cookies.clear()
    form = await client.get("/dashboard/login")
    token = FORM_TOKEN.search(form.text)
    assert token is not None, form.text
    data = {"username": username, "password": password, "csrf_token": token.group(1), "next": "/dashboard/"}
    return await client.post("/dashboard/login", data=data)


async def add_user(app: FastAPI, username: str, password: str, merchant_id: str | None = None) -> None:
    async with unit_of_work(app.state.runtime.sessions) as session:
        await passwords.create_user(session, username, password, merchant_id=merchant_id)


async def test_admin_password_works_only_until_a_user_exists(dashboard: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, client = dashboard
    assert (await login(client, "admin", ADMIN_PASSWORD)).status_code == 303
    await add_user(app, "ops", "ops-password-1")
    assert (await login(client, "admin", ADMIN_PASSWORD)).status_code == 401
    ok = await login(client, "ops", "ops-password-1")
    assert ok.status_code == 303
    cookie = next(v for v in ok.headers.get_list("set-cookie") if v.startswith("ps_session="))
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower() and "Secure" in cookie
    assert (await client.get("/dashboard/")).status_code == 200


async def test_merchant_user_sees_only_its_merchant(dashboard: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, client = dashboard
    await add_user(app, "alpha-ops", "alpha-password", merchant_id="alpha")
    assert (await login(client, "alpha-ops", "alpha-password")).status_code == 303
    page = await client.get("/dashboard/", params={"merchant": "bravo"})
    assert page.status_code == 200
    assert "Bravo" not in page.text and "Alpha" in page.text


async def test_brute_force_is_throttled_per_username_and_address(dashboard: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, client = dashboard
    await add_user(app, "ops", "ops-password-1")
    await add_user(app, "dev", "dev-password-1")
    for _ in range(5):
        assert (await login(client, "ops", "guess-guess")).status_code == 401
    blocked = await login(client, "ops", "ops-password-1")
    assert blocked.status_code == 429
    assert 0 < int(blocked.headers["retry-after"]) <= 900 + 180  # the sliding estimate can outlast one window
    assert "Too many failed logins" in blocked.text and "ps_session=" not in blocked.headers.get("set-cookie", "")
    assert (await login(client, "dev", "dev-password-1")).status_code == 303


async def test_success_resets_the_failure_count(dashboard: tuple[FastAPI, httpx.AsyncClient]) -> None:
    app, client = dashboard
    await add_user(app, "ops", "ops-password-1")
    for _ in range(4):
        assert (await login(client, "ops", "wrong-password")).status_code == 401
    assert (await login(client, "ops", "ops-password-1")).status_code == 303
    for _ in range(4):
        assert (await login(client, "ops", "wrong-password")).status_code == 401
    assert (await login(client, "ops", "ops-password-1")).status_code == 303
