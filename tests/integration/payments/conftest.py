"""Fixtures: the sync test hub (database + worker + in-process sandboxes) on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from tests.integration.sync.sync_harness import Hub, make_hub


@pytest.fixture
async def any_hub(database_url: str) -> AsyncIterator[Hub]:
    h = await make_hub(database_url)
    try:
        yield h
    finally:
        await h.http.aclose()
        await h.engine.dispose()
