"""`parcelsync audit prune`: drop audit rows past retention and expired idempotency keys."""

from __future__ import annotations

from typing import Annotated

import typer

from parcelsync.cli.support import console, database, load_settings, run
from parcelsync.security.retention import PruneReport, housekeeping

audit_app = typer.Typer(help="The audit log of outbound provider calls.", no_args_is_help=True)


@audit_app.command("prune")
def audit_prune(
    days: Annotated[
        int | None, typer.Option(min=0, help="Keep this many days (default PARCELSYNC_AUDIT_RETENTION_DAYS).")
    ] = None,
) -> None:
    """Delete audit rows older than the retention period, expired Idempotency-Key records and rate counters."""
    settings = load_settings()
    keep = settings.audit_retention_days if days is None else days

    async def main() -> PruneReport:
        async with database(settings) as sessions:
            return await housekeeping(
                sessions, audit_retention_days=keep, receipt_retention_days=settings.receipt_retention_days
            )

    report = run(main)
    console.print(
        f"deleted {report.audit_rows} audit row(s) older than {keep} day(s), "
        f"{report.idempotency_keys} expired idempotency key(s) and {report.rate_counters} expired rate counter(s); "
        f"sync receipts are kept {settings.receipt_retention_days} day(s) ({report.receipts} older ones deleted)"
    )
