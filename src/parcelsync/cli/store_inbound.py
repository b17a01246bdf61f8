"""`parcelsync <store> backfill|subscribe`: one command group per store connector that declares inbound."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from parcelsync.cli.support import cipher_for, console, database, err_console, fail, load_settings, run
from parcelsync.connectors.inbound import StoreSource
from parcelsync.connectors.record import Connector
from parcelsync.connectors.registry import with_inbound
from parcelsync.db.base import utcnow
from parcelsync.ingest.store.backfill import BackfillProgress, NoStoreConnection, run_backfill
from parcelsync.ingest.store.subscribe import MissingWebhookSecret, subscribe_store
from parcelsync.providers.errors import ProviderError
from parcelsync.providers.http import default_client


def _group(connector: Connector, source: StoreSource) -> typer.Typer:
    name = connector.name
    group = typer.Typer(help=f"Listen to the {name} store: subscribe its webhooks, backfill its fulfillments.",
                        no_args_is_help=True)

    @group.command()
    def backfill(
        merchant: Annotated[str, typer.Option("--merchant", "-m", help="The merchant whose store to read.")],
        days: Annotated[int, typer.Option(min=1, max=3650, help="How many days back (by order update time).")] = 60,
    ) -> None:
        """Pull the fulfillments of the last DAYS days into shipments (resumes an interrupted run)."""
        settings = load_settings()

        async def main() -> BackfillProgress:
            async with database(settings) as sessions, default_client() as http:
                columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[detail]}"),
                           TimeElapsedColumn())
                with Progress(*columns, console=err_console) as bar:
                    task = bar.add_task(f"{name} backfill", total=len(source.backfill_passes), detail="")

                    def on_page(p: BackfillProgress) -> None:
                        bar.update(task, completed=p.pass_index, detail=(
                            f"{p.pages} pages, {p.fulfillments} fulfillments, {p.changed} changed"
                            + (" (resumed)" if p.resumed else "")))

                    return await run_backfill(
                        sessions, cipher_for(settings), source, merchant, days=days, http=http, now=utcnow,
                        on_page=on_page,
                    )

        try:
            result = run(main)
        except NoStoreConnection as exc:
            fail(str(exc))
        except ProviderError as exc:
            fail(f"{name} answered: {exc} (run the command again to resume)", code=1)
        title = f"{name} backfill: {result.state}"
        table = Table("pages", "fulfillments", "changed", "rejected", "resumed", title=title)
        table.add_row(str(result.pages), str(result.fulfillments), str(result.changed), str(result.rejected),
                      "yes" if result.resumed else "no")
        console.print(table)
        if result.rejected:
            raise typer.Exit(1)

    @group.command()
    def subscribe(
        merchant: Annotated[str, typer.Option("--merchant", "-m", help="The merchant whose store to subscribe.")],
        url: Annotated[str, typer.Option("--url", help="parcelsync's public URL, e.g. https://sync.example.com")],
    ) -> None:
        """Subscribe the hub's webhook URL to the store's fulfillment topics (running it twice changes nothing)."""
        if not url.startswith(("http://", "https://")):
            fail("--url must be an http(s) URL")
        settings = load_settings()

        async def main() -> list[tuple[str, str, str]]:
            async with database(settings) as sessions, default_client() as http:
                done = await subscribe_store(sessions, cipher_for(settings), source, merchant, url, http=http)
                return [(s.topic, s.address, s.result) for s in done]

        try:
            rows = run(main)
        except (NoStoreConnection, MissingWebhookSecret) as exc:
            fail(str(exc))
        except ProviderError as exc:
            fail(f"{name} answered: {exc}", code=1)
        table = Table("topic", "address", "result", title=f"{name} webhooks")
        for row in rows:
            table.add_row(*row)
        console.print(table)

    return group


def store_groups() -> list[tuple[str, typer.Typer]]:
    """(connector id, its command group) for every store connector that declares inbound."""
    return [(c.id, _group(c, c.inbound)) for c in with_inbound() if c.inbound is not None]
