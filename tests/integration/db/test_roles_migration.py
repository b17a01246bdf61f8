"""Migration 0022 gives users made before roles the rights they had: admin without a merchant, operator with one."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import text

from parcelsync.db import migrate
from parcelsync.db.engine import make_engine


async def _run(url: str, statement: str) -> list[tuple[str, ...]]:
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            result = await conn.execute(text(statement))
            return [tuple(str(v) for v in row) for row in result.all()] if result.returns_rows else []
    finally:
        await engine.dispose()


def test_existing_users_become_admin_or_operator(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    migrate.upgrade_sync(url, "0021")
    before = [
        "INSERT INTO merchants (id, name, created_at) VALUES ('m1', 'M1', '2026-01-01 00:00:00')",
        "INSERT INTO users (username, password_hash, merchant_id, created_at) VALUES "
        "('root', 'x', NULL, '2026-01-01 00:00:00'), ('ops', 'x', 'm1', '2026-01-01 00:00:00')",
    ]
    for statement in before:
        asyncio.run(_run(url, statement))
    migrate.upgrade_sync(url)
    roles = asyncio.run(_run(url, "SELECT username, role FROM users ORDER BY username"))
    assert roles == [("ops", "operator"), ("root", "admin")]
