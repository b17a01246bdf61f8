"""`parcelsync retry`: put parked/dead targets back in the queue, by id, merchant, provider, or all."""

from __future__ import annotations

from collections import Counter
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from sqlalchemy import select

from parcelsync.cli.support import console, database, err_console, fail, load_settings, run
from parcelsync.db.base import utcnow
from parcelsync.db.engine import unit_of_work
from parcelsync.db.tables import SyncTargetRow
from parcelsync.domain.provider import Provider
from parcelsync.sync.outbox import replay

CHUNK = 500


def retry(
    target_id: Annotated[list[int] | None, typer.Option("--id", help="Target id (repeatable).")] = None,
    merchant: Annotated[str | None, typer.Option("--merchant", "-m", help="Only this merchant's targets.")] = None,
    provider: Annotated[Provider | None, typer.Option(help="Only this provider's targets.")] = None,
    every: Annotated[bool, typer.Option("--all", help="Every parked/dead target (required without filters).")] = False,
    state: Annotated[list[str] | None, typer.Option(help="parked and/or dead (default both).")] = None,
) -> None:
    """Replay parked/dead targets: attempts reset, due now; the worker syncs them on its next pass."""
    states = tuple(state or ("parked", "dead"))
    if not set(states) <= {"parked", "dead"}:
        fail("--state must be parked or dead")
    if not (target_id or merchant or provider or every):
        fail("say which targets: --id, --merchant, --provider, or --all")

    async def main() -> Counter[tuple[str, str]]:
        replayed: Counter[tuple[str, str]] = Counter()
        async with database(load_settings()) as sessions:
            async with sessions() as session:
                query = select(SyncTargetRow.id, SyncTargetRow.provider, SyncTargetRow.state).where(
                    SyncTargetRow.state.in_(states)
                )
                if target_id:
                    query = query.where(SyncTargetRow.id.in_(target_id))
                if merchant:
                    query = query.where(SyncTargetRow.merchant_id == merchant)
                if provider:
                    query = query.where(SyncTargetRow.provider == provider.value)
                found = (await session.execute(query.order_by(SyncTargetRow.id))).all()
            kinds = {row.id: (row.provider, row.state) for row in found}
            ids = list(kinds)
            columns = (TextColumn("replaying"), BarColumn(), MofNCompleteColumn())
            with Progress(*columns, console=err_console) as bar:
                task = bar.add_task("replay", total=len(ids))
                for start in range(0, len(ids), CHUNK):
                    async with unit_of_work(sessions) as session:
                        done = await replay(session, now=utcnow(), ids=ids[start : start + CHUNK], states=states)
                    replayed.update(kinds[i] for i in done)
                    bar.advance(task, len(ids[start : start + CHUNK]))
        return replayed

    replayed = run(main)
    table = Table("provider", "was", "replayed", title="retry")
    for (prov, was), count in sorted(replayed.items()):
        table.add_row(prov, was, str(count))
    table.add_row("total", "", str(sum(replayed.values())))
    console.print(table)
