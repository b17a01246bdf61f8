"""The migrations build exactly the schema the tables declare, on both backends."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from parcelsync.db import migrate
from parcelsync.db.base import Base

pytestmark = pytest.mark.anyio


def test_single_head() -> None:
    heads = ScriptDirectory.from_config(migrate.alembic_config("sqlite://")).get_heads()
    assert len(heads) == 1, f"migrations must form one line, found heads {heads}"


async def test_migrated_schema_matches_tables(engine) -> None:  # type: ignore[no-untyped-def]
    async with engine.connect() as conn:
        diff = await conn.run_sync(
            lambda c: compare_metadata(MigrationContext.configure(c, opts={"compare_type": False}), Base.metadata)
        )
    assert diff == []
    assert await migrate.is_current(engine)
