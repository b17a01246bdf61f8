"""`parcelsync sync status`: the outbox per provider, counts by state, paused connections."""

from __future__ import annotations

from typing import Annotated

import typer

from parcelsync.cli.support import console, database, load_settings, run
from parcelsync.console_tables import wrapping_table
from parcelsync.db.base import utcnow
from parcelsync.domain.status import TARGET_STATES
from parcelsync.sync.state import SyncStatus, sync_status

sync_app = typer.Typer(help="The sync engine's queue.", no_args_is_help=True)


@sync_app.command("status")
def status(
    merchant: Annotated[str | None, typer.Option("--merchant", "-m", help="One merchant (default: all).")] = None,
) -> None:
    """Queue depth and oldest pending age per provider, counts by state, paused connections."""

    async def main() -> SyncStatus:
        async with database(load_settings()) as sessions, sessions() as session:
            return await sync_status(session, utcnow(), merchant_id=merchant)

    print_status(run(main))


def print_status(result: SyncStatus) -> None:
    states = TARGET_STATES
    table = wrapping_table("provider", "queue", "due now", "oldest pending", *states, title="sync status")
    for provider, queue in sorted(result.queues.items()):
        counts = result.counts.get(provider, {})
        age = f"{queue.oldest_age_s:.0f}s" if queue.oldest_age_s is not None else "-"
        table.add_row(provider, str(queue.depth), str(queue.due), age, *(str(counts.get(s, 0)) for s in states))
    console.print(table)
    if result.paused:
        paused = wrapping_table("merchant", "provider", "paused until", "reason", title="paused connections")
        for p in result.paused:
            paused.add_row(p.merchant_id, p.provider, p.paused_until or "", p.reason or "")
        console.print(paused)
    else:
        console.print("no paused connections")
