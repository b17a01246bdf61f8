"""Run a worker inside the API process (`parcelsync serve --worker`, the demo): started and stopped with the app."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI

from parcelsync.chores import NotifyChores, delivering
from parcelsync.security.retention import PeriodicPrune
from parcelsync.sync.worker import Worker

Lifespan = Callable[[Any], AbstractAsyncContextManager[Any]]


@asynccontextmanager
async def running(worker: Worker, *, housekeeping: Callable[[], Any] | None = None) -> AsyncIterator[Worker]:
    """Run `worker` in a background task for the duration of the block, then stop it gracefully."""
    task = asyncio.create_task(worker.run(housekeeping=housekeeping))
    try:
        yield worker
    finally:
        worker.stop()
        await task
        await worker.aclose()


def attach_worker(
    app: FastAPI,
    *,
    concurrency: int | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    housekeeping: Callable[[], Any] | None = None,
) -> None:
    """Wrap the app's lifespan so a worker runs (on the app's database and cipher) while it serves.

    Without an explicit `housekeeping`, the worker prunes the audit log and expired idempotency keys
    now and then, exactly as `parcelsync worker` does.
    """
    inner: Lifespan = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: FastAPI) -> AsyncIterator[Any]:
        async with inner(application) as state:
            runtime = application.state.runtime
            worker = Worker(
                runtime.sessions, runtime.settings, cipher=runtime.cipher, concurrency=concurrency, transport=transport
            )
            application.state.worker = worker
            prune = PeriodicPrune(
                runtime.sessions,
                audit_retention_days=runtime.settings.audit_retention_days,
                receipt_retention_days=runtime.settings.receipt_retention_days,
            )
            chores = housekeeping or NotifyChores(runtime.sessions, runtime.settings, inner=prune)
            async with (
                running(worker, housekeeping=chores),
                delivering(runtime.sessions, runtime.settings, runtime.cipher),
            ):
                yield state

    app.router.lifespan_context = lifespan
