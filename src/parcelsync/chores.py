"""What the worker does besides syncing: the notification chores and the webhook dispatcher beside it.

`NotifyChores` is a housekeeping callable for `Worker.run` (it runs the inner one, e.g. the audit
prune, too): at most every `housekeeping_interval_s` it prunes events past their retention. `delivering`
runs a webhook `Dispatcher` next to a worker for the duration of a block.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from parcelsync.db.base import utcnow
from parcelsync.db.crypto import CredentialCipher
from parcelsync.events.feed import prune_events
from parcelsync.logging import get_logger
from parcelsync.outbound.dispatcher import Dispatcher
from parcelsync.settings import Settings

log = get_logger("parcelsync.chores")


class NotifyChores:
    """Event retention (and whatever `inner` does), at most once per interval."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings,
        *,
        inner: Callable[[], Awaitable[Any]] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.inner = inner
        self._clock = clock
        self._last: float | None = None

    async def __call__(self) -> None:
        if self.inner is not None:
            await self.inner()
        now = self._clock()
        if self._last is not None and now - self._last < self.settings.housekeeping_interval_s:
            return
        self._last = now
        await self.run_once()

    async def run_once(self) -> None:
        older = utcnow() - timedelta(days=self.settings.event_retention_days)
        pruned = await prune_events(self.sessions, older_than=older)
        if pruned:
            log.info("events_pruned", events=pruned)


@asynccontextmanager
async def delivering(
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    cipher: CredentialCipher,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> AsyncIterator[Dispatcher]:
    """Run a webhook dispatcher in a background task for the duration of the block, then stop it."""
    dispatcher = Dispatcher(sessions, settings, cipher=cipher, transport=transport)
    task = asyncio.create_task(dispatcher.run())
    try:
        yield dispatcher
    finally:
        dispatcher.stop()
        await task
        await dispatcher.aclose()
