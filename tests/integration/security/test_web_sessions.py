"""Dashboard sessions stored in the database: logout, a password change and deactivation end them at once;
idle and absolute timeouts (on an injected clock); a user's sessions are listed and ended. SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from parcelsync.api import create_app
from parcelsync.db.crypto import generate_key
from parcelsync.db.engine import unit_of_work
from parcelsync.db.queries import merchants as merchant_queries
from parcelsync.db.tables import WebSessionRow
from parcelsync.security import passwords, web_sessions
from parcelsync.security.web_sessions import SessionState
from parcelsync.settings import Settings

pytestmark = pytest.mark.anyio
FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
USER, PASSWORD = "ops", "ops-password-1"


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: datetime(2026, 12, 2, 9, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class Hub:
    app: FastAPI
    clock: Clock

    def client(self, user_agent: str = "pytest-browser/1") -> httpx.AsyncClient:
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app),
            base_url="http://testserver",
            headers={"User-Agent": user_agent},
        )

    async def work(self, fn):  # type: ignore[no-untyped-def]
        async with unit_of_work(self.app.state.runtime.sessions) as session:
            return await fn(session)


def hub_settings(database_url: str) -> Settings:
    key = generate_key()
    return Settings(database_url=database_url, secret_key=key, admin_password="admin-pw-1", auto_migrate=False)


@pytest.fixture
async def hub(database_url: str) -> AsyncIterator[Hub]:
    app = create_app(hub_settings(database_url))
    clock = Clock()
    app.state.dashboard.clock = clock
    async with unit_of_work(app.state.runtime.sessions) as session:
        await merchant_queries.create_merchant(session, "Acme", "acme")  # past the first-run setup
        await passwords.create_user(session, USER, PASSWORD)
    yield Hub(app, clock)
    await app.state.runtime.engine.dispose()


async def login(client: httpx.AsyncClient, username: str = USER, password: str = PASSWORD) -> httpx.Response:
    form = await client.get("/dashboard/login")
    token = FORM_TOKEN.search(form.text)
    assert token is not None, form.text
    data = {"username": username, "password": password, "csrf_token": token.group(1), "next": "/dashboard/"}
    return await client.post("/dashboard/login", data=data)


async def logged_in(client: httpx.AsyncClient) -> str:
    """Log in; returns the session cookie."""
    assert (await login(client)).status_code == 303
    cookie = client.cookies.get("ps_session")
    assert cookie
    return cookie


async def opens(hub: Hub, cookie: str) -> bool:
    """Whether this session cookie, replayed on its own, opens the dashboard."""
    async with hub.client() as other:
        other.cookies.set("ps_session", cookie)
        response = await other.get("/dashboard/")
    assert response.status_code in (200, 303), response.status_code
    return response.status_code == 200


async def test_the_cookie_is_a_random_token_whose_hash_is_stored(hub: Hub) -> None:
    async with hub.client() as client:
        cookie = await logged_in(client)
    rows = await hub.work(lambda s: _rows(s))
    assert [r.id for r in rows] == [web_sessions.session_id(cookie)] and cookie not in rows[0].id
    assert rows[0].username == USER and rows[0].user_agent == "pytest-browser/1" and rows[0].ip == "127.0.0.1"


async def test_old_cookie_is_refused_after_logout(hub: Hub) -> None:
    async with hub.client() as client:
        cookie = await logged_in(client)
        home = await client.get("/dashboard/")
        csrf = FORM_TOKEN.search(home.text)
        assert csrf is not None
        out = await client.post("/dashboard/logout", headers={"X-CSRF-Token": csrf.group(1)})
        assert out.status_code == 303
    assert not await opens(hub, cookie)


async def test_old_cookie_is_refused_after_a_password_change(hub: Hub) -> None:
    async with hub.client() as a, hub.client() as b:
        first, second = await logged_in(a), await logged_in(b)
    assert await opens(hub, first) and await opens(hub, second)
    assert await hub.work(lambda s: passwords.set_password(s, USER, "new-password-2"))
    assert not await opens(hub, first) and not await opens(hub, second)
    async with hub.client() as client:
        assert (await login(client)).status_code == 401
        assert (await login(client, password="new-password-2")).status_code == 303


async def test_deactivated_user_is_out_at_once_and_cannot_log_in(hub: Hub) -> None:
    async with hub.client() as client:
        cookie = await logged_in(client)
    assert await hub.work(lambda s: web_sessions.deactivate_user(s, USER, hub.clock())) == 1
    assert not await opens(hub, cookie)
    async with hub.client() as client:
        assert (await login(client)).status_code == 401
    assert await hub.work(lambda s: web_sessions.activate_user(s, USER))
    assert not await opens(hub, cookie)  # activation does not bring old sessions back
    async with hub.client() as client:
        assert await opens(hub, await logged_in(client))


async def test_idle_timeout(hub: Hub) -> None:
    async with hub.client() as client:
        cookie = await logged_in(client)
    hub.clock.advance(7199)
    assert await opens(hub, cookie)  # seen again: the idle clock restarts
    hub.clock.advance(7199)
    assert await opens(hub, cookie)
    hub.clock.advance(7200)
    assert not await opens(hub, cookie)


async def test_absolute_timeout_even_when_active(hub: Hub) -> None:
    async with hub.client() as client:
        cookie = await logged_in(client)
    for _ in range(11):
        hub.clock.advance(3600)
        assert await opens(hub, cookie)
    hub.clock.advance(3599)
    assert await opens(hub, cookie)
    hub.clock.advance(1)
    assert not await opens(hub, cookie)


async def test_last_seen_is_written_at_most_once_a_minute(hub: Hub) -> None:
    async with hub.client() as client:
        await logged_in(client)
        started = hub.clock()
        for _ in range(3):
            hub.clock.advance(10)
            assert (await client.get("/dashboard/")).status_code == 200
        assert [r.last_seen_at for r in await hub.work(_rows)] == [started]
        hub.clock.advance(31)
        assert (await client.get("/dashboard/")).status_code == 200
    assert [r.last_seen_at for r in await hub.work(_rows)] == [hub.clock()]


async def test_sessions_are_listed_and_ended(hub: Hub) -> None:
    async with hub.client("browser-one") as a, hub.client("browser-two") as b:
        first = await logged_in(a)
        hub.clock.advance(60)
        second = await logged_in(b)
    policy = hub.app.state.dashboard.policy
    listed = await hub.work(lambda s: web_sessions.list_sessions(s, USER, policy, hub.clock()))
    assert [(i.state, i.user_agent, i.ip) for i in listed] == [
        (SessionState.ACTIVE, "browser-two", "127.0.0.1"), (SessionState.ACTIVE, "browser-one", "127.0.0.1"),
    ]  # fmt: skip
    assert await hub.work(lambda s: web_sessions.end_sessions_of(s, USER, hub.clock())) == 2
    assert not await opens(hub, first) and not await opens(hub, second)
    listed = await hub.work(lambda s: web_sessions.list_sessions(s, USER, policy, hub.clock()))
    assert [i.state for i in listed] == [SessionState.ENDED, SessionState.ENDED]
    with pytest.raises(web_sessions.UserNotFound):
        await hub.work(lambda s: web_sessions.list_sessions(s, "nobody", policy, hub.clock()))


async def test_an_admin_password_session_ends_when_the_first_user_appears(database_url: str) -> None:
    app = create_app(hub_settings(database_url))
    hub = Hub(app, Clock())
    app.state.dashboard.clock = hub.clock
    try:
        await hub.work(lambda s: merchant_queries.create_merchant(s, "Acme", "acme"))
        async with hub.client() as client:
            assert (await login(client, "admin", "admin-pw-1")).status_code == 303
            cookie = client.cookies.get("ps_session")
            assert cookie and await opens(hub, cookie)
        await hub.work(lambda s: passwords.create_user(s, USER, PASSWORD))
        assert not await opens(hub, cookie)
    finally:
        await app.state.runtime.engine.dispose()


async def _rows(session):  # type: ignore[no-untyped-def]
    return list((await session.execute(select(WebSessionRow))).scalars())
