"""`parcelsync merchants create|list`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from parcelsync.cli.support import console, database, fail, load_settings, run
from parcelsync.db.engine import unit_of_work
from parcelsync.db.queries import merchants as merchant_queries

merchants_app = typer.Typer(help="Merchants.", no_args_is_help=True)


@merchants_app.command("create")
def merchants_create(
    name: str, merchant_id: Annotated[str | None, typer.Option("--id", help="Id (generated if left out).")] = None
) -> None:
    """Create a merchant."""

    async def main() -> str:
        async with database(load_settings()) as sessions, unit_of_work(sessions) as session:
            if merchant_id and await merchant_queries.get_merchant(session, merchant_id) is not None:
                fail(f"merchant {merchant_id!r} already exists")
            return (await merchant_queries.create_merchant(session, name, merchant_id)).id

    console.print(f"created merchant {run(main)}")


@merchants_app.command("list")
def merchants_list() -> None:
    """List merchants."""

    async def main() -> list[tuple[str, str, str]]:
        async with database(load_settings()) as sessions, unit_of_work(sessions) as session:
            rows = await merchant_queries.list_merchants(session, limit=10_000)
            return [(r.id, r.name, r.created_at.isoformat(timespec="seconds")) for r in rows]

    table = Table("id", "name", "created")
    for row in run(main):
        table.add_row(*row)
    console.print(table)
