"""`parcelsync worker`: run the sync worker until SIGINT/SIGTERM (graceful: in-flight batches finish)."""

from __future__ import annotations

import asyncio
import signal
from typing import Annotated

import typer

from parcelsync.chores import NotifyChores, delivering
from parcelsync.cli.support import cipher_for, console, database, load_settings, run
from parcelsync.logging import configure_logging
from parcelsync.security.retention import PeriodicPrune
from parcelsync.sync.worker import Worker


def worker(
    concurrency: Annotated[
        int | None, typer.Option("--concurrency", "-c", min=1, max=256, help="Async tasks (default from settings).")
    ] = None,
    once: Annotated[bool, typer.Option("--once", help="Drain what is due now, then exit.")] = False,
) -> None:
    """Claim due outbox targets and sync them to the providers, and deliver outbound webhooks (several may run)."""
    settings = load_settings()
    configure_logging(level=settings.log_level, fmt=settings.log_format)
    cipher = cipher_for(settings)

    async def main() -> int:
        async with (
            database(settings) as sessions,
            Worker(sessions, settings, cipher=cipher, concurrency=concurrency) as w,
            delivering(sessions, settings, cipher) as webhooks,
        ):
            if once:
                webhooks.stop()  # the background loop; the drain below delivers what is due, once
                batches = await w.run_once()
                await webhooks.run_once()
                return batches
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, w.stop)
            prune = PeriodicPrune(
                sessions,
                audit_retention_days=settings.audit_retention_days,
                receipt_retention_days=settings.receipt_retention_days,
            )
            await w.run(housekeeping=NotifyChores(sessions, settings, inner=prune))
            return w.batches

    batches = run(main)
    console.print(f"worker done: {batches} batches synced")
