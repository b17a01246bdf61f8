"""The app factory: startup migrations through the whole ASGI stack, and the secret-key rule."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest

from parcelsync.api import create_app
from parcelsync.db import migrate
from parcelsync.db.crypto import SecretKeyError, generate_key
from parcelsync.db.engine import make_engine
from parcelsync.settings import Settings

pytestmark = pytest.mark.anyio


async def run_lifespan(app: Any) -> list[str]:
    """Start and stop the app the way a server does: a `lifespan` scope through every middleware."""
    inbox: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    await inbox.put({"type": "lifespan.startup"})
    sent: list[str] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message["type"])
        if message["type"] == "lifespan.startup.complete":
            await inbox.put({"type": "lifespan.shutdown"})

    await app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, inbox.get, send)
    return sent


async def test_startup_migrates_a_fresh_database_through_the_middleware_stack(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    app = create_app(Settings(database_url=url, secret_key=generate_key()))
    assert await run_lifespan(app) == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
    engine = make_engine(url)
    try:
        assert await migrate.is_current(engine)
    finally:
        await engine.dispose()


async def test_readyz_says_when_the_database_is_not_migrated(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    app = create_app(Settings(database_url=url, secret_key=generate_key(), auto_migrate=False))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        response = await http.get("/readyz")
    assert response.status_code == 503 and "migrations" in response.json()["reason"]
    await app.state.runtime.engine.dispose()


def test_a_missing_secret_key_is_a_clear_startup_error_outside_demo_mode(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"
    with pytest.raises(SecretKeyError, match="PARCELSYNC_SECRET_KEY"):
        create_app(Settings(database_url=url, secret_key=None, demo_mode=False))
    assert create_app(Settings(database_url=url, secret_key=None, demo_mode=True)) is not None
    with pytest.raises(SecretKeyError, match="keys generate"):
        create_app(Settings(database_url=url, secret_key="not-a-fernet-key"))
