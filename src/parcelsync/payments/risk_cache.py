"""The process's risk indexes (`risk_index`), per database and merchant: fresh for `TTL_S` seconds, then served
while a newer one is built in the background (up to `STALE_S`), so only a merchant's first request waits.

The overview does not wait even then (`wait=False`): it shows "being computed" and the next load has the
numbers. One build at a time per merchant; a build reads with its own session.
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from enum import Enum
from typing import Literal

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from parcelsync.logging import get_logger
from parcelsync.payments import risk_index as index_module
from parcelsync.payments.candidates import intent_count
from parcelsync.payments.risk_index import RiskIndex, build_index

TTL_S = 300.0
STALE_S = 3600.0
MAX_MERCHANTS = 100
log = get_logger(__name__)
Key = tuple[str, str]


class Pending(Enum):
    """The index is being built and the caller chose not to wait."""

    PENDING = "pending"


PENDING = Pending.PENDING


class RiskIndexCache:
    def __init__(self, ttl_s: float = TTL_S, stale_s: float = STALE_S, max_merchants: int = MAX_MERCHANTS) -> None:
        self.ttl_s = ttl_s
        self.stale_s = stale_s
        self.max_merchants = max_merchants
        self._items: dict[Key, RiskIndex] = {}
        self._locks: dict[Key, asyncio.Lock] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def _aged(self, key: Key, now: datetime, limit: float) -> RiskIndex | None:
        index = self._items.get(key)
        if index is None or (now - index.computed_at).total_seconds() > limit:
            return None
        return index

    async def get(
        self, session: AsyncSession, merchant_id: str, now: datetime, *, wait: bool = True
    ) -> RiskIndex | Literal[Pending.PENDING] | None:
        """The merchant's index (possibly stale while a newer one is built); None for a merchant assessed live;
        PENDING when there is none yet and `wait` is False (the build then runs in the background)."""
        key = (_database(session), merchant_id)
        index = self._aged(key, now, self.ttl_s)
        if index is not None:
            return index
        engine = session.bind if isinstance(session.bind, AsyncEngine) else None
        stale = self._aged(key, now, self.stale_s)
        if stale is not None and engine is not None:
            self._start(engine, key, merchant_id, now)
            return stale
        if await intent_count(session, merchant_id) <= index_module.LIVE_INTENTS:
            self._items.pop(key, None)
            return None
        if not wait and engine is not None:
            self._start(engine, key, merchant_id, now)
            return PENDING
        return await self._build(session, key, merchant_id, now)

    async def _build(self, session: AsyncSession, key: Key, merchant_id: str, now: datetime) -> RiskIndex | None:
        async with self._locks.setdefault(key, asyncio.Lock()):
            index = self._aged(key, now, self.ttl_s)
            if index is not None:
                return index
            intents = await intent_count(session, merchant_id)
            if intents <= index_module.LIVE_INTENTS:
                self._items.pop(key, None)
                return None
            index = await build_index(session, merchant_id, now, intents)
            if len(self._items) >= self.max_merchants:
                self._items.clear()
            self._items[key] = index
            return index

    def _start(self, engine: AsyncEngine, key: Key, merchant_id: str, now: datetime) -> None:
        lock = self._locks.setdefault(key, asyncio.Lock())
        if lock.locked():
            return
        task = asyncio.create_task(self._in_background(engine, key, merchant_id, now))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _in_background(self, engine: AsyncEngine, key: Key, merchant_id: str, now: datetime) -> None:
        try:
            async with AsyncSession(engine) as session:
                await self._build(session, key, merchant_id, now)
        except Exception:
            log.exception("risk_index_not_built", merchant_id=merchant_id)

    async def settled(self) -> None:
        """Wait for the builds running in the background (tests, shutdown)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def clear(self) -> None:
        """Forget every index and lock (a lock belongs to the event loop that first waited on it)."""
        self._items.clear()
        self._locks.clear()


def _database(session: AsyncSession) -> str:
    bind = session.bind
    engine = bind.engine if bind is not None else None
    return engine.url.render_as_string(hide_password=True) if engine is not None else ""


CACHE = RiskIndexCache()
"""The process's indexes: the API and the dashboard share them."""


async def risk_index(session: AsyncSession, merchant_id: str, now: datetime) -> RiskIndex | None:
    """The merchant's index, waiting for its first build; None for a merchant assessed live."""
    found = await CACHE.get(session, merchant_id, now)
    return None if found is PENDING else found
