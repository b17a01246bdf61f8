"""The database rate limiter on SQLite and PostgreSQL, with several engines (processes) on one database."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from parcelsync.db.engine import make_engine, make_sessionmaker, unit_of_work
from parcelsync.security import db_throttle
from parcelsync.security.db_throttle import Limit, decide

pytestmark = pytest.mark.anyio

T0 = datetime(2026, 12, 1, 12, 0, 0, tzinfo=UTC)


async def test_hit_counts_per_key_and_window(engine: AsyncEngine) -> None:
    sessions = make_sessionmaker(engine)
    async with unit_of_work(sessions) as session:
        assert await db_throttle.hit(session, "a", window_s=60, now=T0) == 1
        assert await db_throttle.hit(session, "a", window_s=60, now=T0 + timedelta(seconds=59)) == 2
        assert await db_throttle.hit(session, "a", window_s=60, now=T0, amount=3) == 5
        assert await db_throttle.hit(session, "b", window_s=60, now=T0) == 1
        # Another window length is another counter, even where the windows start together.
        assert await db_throttle.hit(session, "a", window_s=3600, now=T0) == 1
        assert await db_throttle.hit(session, "a", window_s=60, now=T0 + timedelta(seconds=60)) == 1
    async with unit_of_work(sessions) as session:
        usage = await db_throttle.peek(session, "a", window_s=60, now=T0 + timedelta(seconds=75))
        assert (usage.current, usage.previous, usage.elapsed_s) == (1, 5, 15)
        assert usage.estimate == pytest.approx(1 + 5 * 0.75)
        assert (await db_throttle.peek(session, "nobody", window_s=60, now=T0)).estimate == 0


async def test_consume_and_decide(engine: AsyncEngine) -> None:
    sessions = make_sessionmaker(engine)
    limit = Limit(3, 60)
    allowed = []
    for i in range(5):
        async with unit_of_work(sessions) as session:
            usage = await db_throttle.consume(session, "k", window_s=60, now=T0 + timedelta(seconds=i))
            allowed.append(decide(limit, usage).allowed)
    assert allowed == [True, True, True, False, False]


async def test_clear_and_prune(engine: AsyncEngine) -> None:
    sessions = make_sessionmaker(engine)
    async with unit_of_work(sessions) as session:
        await db_throttle.hit(session, "gone", window_s=60, now=T0)
        await db_throttle.hit(session, "gone", window_s=60, now=T0 + timedelta(seconds=60))
        await db_throttle.hit(session, "kept", window_s=60, now=T0)
        await db_throttle.hit(session, "long", window_s=3600, now=T0)
    async with unit_of_work(sessions) as session:
        assert await db_throttle.clear(session, "gone") == 2
        # At T0+120s the 60 s window at T0 is no longer "previous" of anything: prunable.
        assert await db_throttle.prune(session, T0 + timedelta(seconds=119)) == 0
        assert await db_throttle.prune(session, T0 + timedelta(seconds=120)) == 1
        assert await db_throttle.count_rows(session) == 1
        assert (await db_throttle.peek(session, "long", window_s=3600, now=T0)).current == 1


async def test_long_keys_share_one_counter(engine: AsyncEngine) -> None:
    sessions = make_sessionmaker(engine)
    key = "track:email:" + "x" * 400
    async with unit_of_work(sessions) as session:
        await db_throttle.hit(session, key, window_s=60, now=T0)
        assert await db_throttle.hit(session, key, window_s=60, now=T0) == 2


async def test_two_engines_on_one_database_share_the_limit(database_url: str) -> None:
    """Two API processes (two engines, each with its own pool) hitting one key at once: one count."""
    engines = [make_engine(database_url), make_engine(database_url)]
    try:
        makers = [make_sessionmaker(e) for e in engines]
        limit = Limit(10, 60)

        async def attempt(i: int) -> bool:
            async with unit_of_work(makers[i % 2]) as session:
                usage = await db_throttle.consume(session, "shared", window_s=60, now=T0 + timedelta(seconds=1))
                return decide(limit, usage).allowed

        results = await asyncio.gather(*(attempt(i) for i in range(30)))
        assert sum(results) == 10
        async with unit_of_work(makers[1]) as session:
            assert (await db_throttle.peek(session, "shared", window_s=60, now=T0 + timedelta(seconds=2))).current == 30
    finally:
        for e in engines:
            await e.dispose()
