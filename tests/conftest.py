"""Shared fixtures: the anyio backend and databases on SQLite and PostgreSQL.

PostgreSQL tests need the server at PARCELSYNC_TEST_PG (default 127.0.0.1:5432, database
`test`, trust auth). In CI (CI=true) they are required and fail when it is unreachable; on a
machine without PostgreSQL they are skipped with a message saying how to enable them.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator

import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from parcelsync.api import create_app
from parcelsync.db import migrate
from parcelsync.db.base import Base
from parcelsync.db.engine import make_engine
from parcelsync.settings import Settings

# The sandboxes listen on loopback: tests, like the demo, allow private base URLs (a test of the refusal turns it off).
os.environ.setdefault("PARCELSYNC_ALLOW_PRIVATE_BASE_URLS", "true")
PG_ADMIN_URL = os.environ.get("PARCELSYNC_TEST_PG", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PG_HOWTO = (
    "PostgreSQL not reachable at PARCELSYNC_TEST_PG="
    f"{PG_ADMIN_URL}; start a server (trust auth) or point PARCELSYNC_TEST_PG at one to run these tests"
)


@pytest.fixture
def cli_width(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], None]:
    """Pins the width of the CLI's rich consoles for one test, then unpins it.

    rich takes a console's width from COLUMNS once, when the console is created (at import), and keeps any
    width set on it since; without pinning, the shell or an earlier test would decide how tables wrap.
    """
    from parcelsync.cli.support import console, err_console

    def pin(columns: int) -> None:
        for each in (console, err_console):
            monkeypatch.setattr(each, "_width", columns)

    return pin


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def _pg_reachable() -> bool:
    engine = create_async_engine(PG_ADMIN_URL)
    try:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        return True
    except Exception:
        return False
    finally:
        await engine.dispose()


async def _pg_admin(statement: str) -> None:
    """Run one statement that cannot run in a transaction (CREATE/DROP DATABASE) on the admin database."""
    engine = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


def _pg_url_for(name: str) -> str:
    base, _, _ = PG_ADMIN_URL.rpartition("/")
    return f"{base}/{name}"


@pytest.fixture(scope="session")
def pg_database_url() -> Iterator[str]:
    """A fresh PostgreSQL database, migrated to head, for this test session; dropped afterwards."""
    if not asyncio.run(_pg_reachable()):
        if IN_CI:
            pytest.fail(PG_HOWTO + " (required in CI)")
        pytest.skip(PG_HOWTO)
    name = f"parcelsync_test_{uuid.uuid4().hex[:10]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    url = _pg_url_for(name)
    migrate.upgrade_sync(url)
    try:
        yield url
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite file migrated to head once; each test copies it."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    migrate.upgrade_sync(f"sqlite+aiosqlite:///{path}")
    return str(path)


@pytest.fixture
def sqlite_database_url(sqlite_template: str, tmp_path) -> str:  # type: ignore[no-untyped-def]
    import shutil

    target = tmp_path / "parcelsync.db"
    shutil.copyfile(sqlite_template, target)
    return f"sqlite+aiosqlite:///{target}"


async def _truncate_fresh(url: str) -> None:
    """Empty every table (one engine, created and disposed inside the same event loop)."""
    engine = make_engine(url)
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        await engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest) -> str:
    """Run the test once on SQLite and once on PostgreSQL (each empty, migrated to head)."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_database_url")
    url: str = request.getfixturevalue("pg_database_url")
    asyncio.run(_truncate_fresh(url))
    return url


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    eng = make_engine(database_url)
    try:
        yield eng
    finally:
        await eng.dispose()


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    """The real API app for the folder's `settings` fixture, with its lifespan entered."""
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application
