"""`parcelsync reconcile`: report drift between the hub and the providers; `--fix` re-enqueues it."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn
from rich.table import Table

from parcelsync.cli.support import cipher_for, console, database, err_console, load_settings, run
from parcelsync.db.queries.merchants import list_merchants
from parcelsync.domain.provider import Provider
from parcelsync.providers.http import default_client
from parcelsync.sync.clients import ClientCache
from parcelsync.sync.reconcile import ReconcileReport, reconcile_merchant

MAX_ROWS = 200


def reconcile(
    merchant: Annotated[str | None, typer.Option("--merchant", "-m", help="One merchant (default: all).")] = None,
    provider: Annotated[list[Provider] | None, typer.Option(help="Only these providers (repeatable).")] = None,
    fix: Annotated[bool, typer.Option("--fix", help="Re-enqueue drifted targets for the worker.")] = False,
) -> None:
    """Compare hub state with UseePay (retrieve tracker) and TrackingMore (list); SHOPLINE cannot be read back."""
    settings = load_settings()
    cipher = cipher_for(settings)
    providers = tuple(provider or Provider)

    async def main() -> list[ReconcileReport]:
        async with database(settings) as sessions, default_client() as http:
            async with sessions() as session:
                ids = [merchant] if merchant else [m.id for m in await list_merchants(session, limit=100_000)]
            clients = ClientCache(http)
            reports = []
            columns = (SpinnerColumn(), TextColumn("{task.description}"), TextColumn("{task.completed} checked"))
            with Progress(*columns, console=err_console) as bar:
                for m in ids:
                    task = bar.add_task(f"reconciling {m}", total=None)

                    def advance(_provider: str, n: int, task: TaskID = task) -> None:
                        bar.advance(task, n)

                    reports.append(
                        await reconcile_merchant(
                            sessions, cipher, clients, m, providers=providers, fix=fix, progress=advance
                        )
                    )
                    bar.update(task, total=bar.tasks[-1].completed)
            return reports

    reports = run(main)
    drifted = 0
    for report in reports:
        print_report(report, fix)
        drifted += len(report.drift)
    raise typer.Exit(1 if drifted and not fix else 0)


def print_report(report: ReconcileReport, fix: bool) -> None:
    checked = ", ".join(f"{p}: {n} checked" for p, n in sorted(report.checked.items())) or "nothing checked"
    console.print(f"[bold]{report.merchant_id}[/bold]  {checked}")
    for provider, count in report.unverifiable.items():
        console.print(f"  {provider}: {count} targets not verifiable (the API has no read endpoint in the seeds)")
    for error in report.errors:
        console.print(f"  [red]error[/red] {error}")
    if not report.drift:
        console.print("  no drift")
        return
    table = Table("provider", "target", "drift", "hub", "provider holds")
    for d in report.drift[:MAX_ROWS]:
        table.add_row(d.provider, d.target_key, d.kind, " ".join(d.hub), " ".join(d.remote))
    console.print(table)
    if len(report.drift) > MAX_ROWS:
        console.print(f"  ... and {len(report.drift) - MAX_ROWS} more")
    if fix:
        console.print(f"  re-enqueued {report.fixed} targets")
