"""Fixtures: a hub on SQLite (or on both databases) connected to the in-process sandboxes."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from tests.integration.sync.sync_harness import Hub, make_hub


@pytest.fixture
async def hub(sqlite_database_url: str) -> AsyncIterator[Hub]:
    h = await make_hub(sqlite_database_url)
    try:
        yield h
    finally:
        await h.http.aclose()
        await h.engine.dispose()


@pytest.fixture
async def any_hub(database_url: str) -> AsyncIterator[Hub]:
    """The same hub on SQLite and on PostgreSQL."""
    h = await make_hub(database_url)
    try:
        yield h
    finally:
        await h.http.aclose()
        await h.engine.dispose()
