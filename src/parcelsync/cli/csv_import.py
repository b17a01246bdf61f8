"""`parcelsync import FILE.csv`: shipments from a CSV file, with a progress bar and a report of rejected rows."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, BinaryIO, cast

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from parcelsync.cli.support import (
    MerchantOpt,
    console,
    database,
    err_console,
    fail,
    load_settings,
    require_merchant,
    run,
)
from parcelsync.db.engine import unit_of_work
from parcelsync.ingest.csv_import import CsvFormatError, ImportReport, import_csv


def import_command(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="CSV file.")],
    merchant: MerchantOpt,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Validate and count; write nothing.")] = False,
) -> None:
    """Import shipments from a CSV file (columns: ShipmentIn field names; see the README)."""
    settings = load_settings()
    size = file.stat().st_size

    async def main() -> ImportReport:
        async with database(settings) as sessions:
            async with unit_of_work(sessions) as session:
                await require_merchant(session, merchant)
            with file.open(newline="", encoding="utf-8-sig") as stream, make_progress() as bar:
                task = bar.add_task("importing", total=size, rows=0)

                def progress(rows: int) -> None:
                    bar.update(task, completed=min(cast(BinaryIO, stream.buffer).tell(), size), rows=rows)

                return await import_csv(
                    stream,
                    sessions,
                    merchant,
                    max_row_bytes=settings.import_max_row_bytes,
                    max_rows=settings.import_max_rows,
                    dry_run=dry_run,
                    progress=progress,
                )

    try:
        report = run(main)
    except CsvFormatError as exc:
        fail(f"{file}: {exc}")
    except UnicodeDecodeError:
        fail(f"{file}: not UTF-8 text")
    print_report(report)
    if report.rejected or report.aborted:
        raise typer.Exit(1)


def make_progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TextColumn("{task.fields[rows]} rows"),
        TimeElapsedColumn(),
        console=err_console,
    )


def print_report(report: ImportReport) -> None:
    title = "dry run (nothing written)" if report.dry_run else "import"
    summary = Table("rows", "created", "updated", "unchanged", "rejected", title=title)
    summary.add_row(*(str(n) for n in (report.rows, report.created, report.updated, report.unchanged, report.rejected)))
    console.print(summary)
    if report.errors:
        rejected = Table("line", "field", "reason", title="rejected rows")
        for error in report.errors:
            rejected.add_row(str(error.line), error.field, error.reason)
        console.print(rejected)
        if report.errors_truncated:
            console.print(f"(only the first {len(report.errors)} reasons are listed)")
    if report.aborted:
        err_console.print(f"[red]stopped:[/red] {report.aborted}")
