"""The `parcelsync` command line (Typer).

Other packages add commands by dropping a module into `parcelsync/commands/`: it is imported at the
bottom of this file and registers itself on `app` (`@app.command()` or `app.add_typer(...)`).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from parcelsync.connectors.registry import connector_for
from parcelsync.console_tables import wrapping_table
from parcelsync.db import migrate
from parcelsync.db.crypto import CredentialCipher, SecretKeyError, generate_key
from parcelsync.db.engine import make_engine, make_sessionmaker, unit_of_work
from parcelsync.db.queries import connections as connection_queries
from parcelsync.db.queries import merchants as merchant_queries
from parcelsync.db.queries import shipments as shipment_queries
from parcelsync.domain.provider import Provider
from parcelsync.domain.status import DeliveryStatus
from parcelsync.expected.store import expected_for
from parcelsync.expected.transit import describe
from parcelsync.ingest.connections import ConnectionChange, change_connection
from parcelsync.ingest.csv_import import CsvFormatError, ImportReport, import_csv
from parcelsync.ingest.errors import InvalidInput
from parcelsync.logging import configure_logging
from parcelsync.settings import Settings

T = TypeVar("T")

app = typer.Typer(name="parcelsync", help="Keep parcel tracking numbers in sync.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
merchants_app = typer.Typer(help="Merchants.", no_args_is_help=True)
connections_app = typer.Typer(help="A merchant's provider connections.", no_args_is_help=True)
shipments_app = typer.Typer(help="Shipments.", no_args_is_help=True)
keys_app = typer.Typer(help="Secret keys.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(merchants_app, name="merchants")
app.add_typer(connections_app, name="connections")
app.add_typer(shipments_app, name="shipments")
app.add_typer(keys_app, name="keys")

console = Console()
err_console = Console(stderr=True)
DEMO_KEY_FILE = Path(".parcelsync-demo-key")
MerchantOpt = Annotated[str, typer.Option("--merchant", "-m", help="Merchant id.")]


def fail(message: str, code: int = 2) -> NoReturn:
    err_console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(code)


def load_settings(**overrides: Any) -> Settings:
    """Settings from the environment (read once per command), with command-line overrides."""
    return Settings(**overrides)


def run(main: Callable[[], Awaitable[T]]) -> T:
    return asyncio.run(main())  # type: ignore[arg-type]


@asynccontextmanager
async def database(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """A session factory on the configured database, migrated first when auto_migrate is on."""
    engine = make_engine(settings.database_url)
    try:
        if settings.auto_migrate:
            await migrate.upgrade(engine)
        yield make_sessionmaker(engine)
    finally:
        await engine.dispose()


def cipher_for(settings: Settings) -> CredentialCipher:
    from parcelsync.api.app import build_cipher

    try:
        return build_cipher(settings)
    except SecretKeyError as exc:
        fail(str(exc))


async def require_merchant(session: AsyncSession, merchant_id: str) -> None:
    if await merchant_queries.get_merchant(session, merchant_id) is None:
        fail(f"no merchant {merchant_id!r} (see `parcelsync merchants list`)")


def parse_pairs(pairs: list[str], what: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            fail(f"{what} must look like key=value")
        out[key.strip()] = value
    return out


def parse_option_value(value: str) -> Any:
    return {"true": True, "false": False}.get(value.lower(), value)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    worker: Annotated[bool, typer.Option("--worker", help="Also run a sync worker in this process.")] = False,
) -> None:
    """Serve the REST API (migrates the database first when PARCELSYNC_AUTO_MIGRATE is on)."""
    import uvicorn

    from parcelsync.api import create_app
    from parcelsync.sync.embedded import attach_worker

    settings = load_settings()
    configure_logging(level=settings.log_level, fmt=settings.log_format)
    try:
        api = create_app(settings)
    except SecretKeyError as exc:
        fail(str(exc))
    if worker:
        attach_worker(api)
    uvicorn.run(api, host=host, port=port, log_config=None)  # keep parcelsync's redacting log setup


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database to the newest schema."""
    settings = load_settings()
    migrate.upgrade_sync(settings.database_url)
    console.print(f"database at revision {migrate.head_revision()}")


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


@connections_app.command("set")
def connections_set(
    merchant: MerchantOpt,
    provider: Annotated[Provider, typer.Argument(help="useepay, shopline or trackingmore.")],
    cred: Annotated[list[str] | None, typer.Option("--cred", help="Credential key=value (repeatable).")] = None,
    option: Annotated[list[str] | None, typer.Option("--option", help="Option key=value (repeatable).")] = None,
    base_url: Annotated[str | None, typer.Option(help="Defaults to the provider's production URL.")] = None,
    disable: Annotated[bool, typer.Option("--disable", help="Store it disabled.")] = False,
) -> None:
    """Create or update a connection; credentials are stored encrypted and never printed."""
    settings = load_settings()
    cipher = cipher_for(settings)
    credentials = parse_pairs(cred or [], "--cred")
    options = {k: parse_option_value(v) for k, v in parse_pairs(option or [], "--option").items()}

    async def main() -> connection_queries.ConnectionView:
        async with database(settings) as sessions, unit_of_work(sessions) as session:
            await require_merchant(session, merchant)
            change = ConnectionChange(
                base_url, credentials, options, enabled=not disable,
                allow_private_base_url=settings.allow_private_base_urls,
            )  # fmt: skip
            row, _ = await change_connection(session, cipher, merchant, provider, change, mode="upsert")
            return connection_queries.view(row, cipher, public=connector_for(provider).public_credentials)

    try:
        print_connections([run(main)])
    except InvalidInput as exc:
        fail(str(exc))


@connections_app.command("list")
def connections_list(merchant: MerchantOpt) -> None:
    """List a merchant's connections (credentials masked)."""
    settings = load_settings()
    cipher = cipher_for(settings)

    async def main() -> list[connection_queries.ConnectionView]:
        async with database(settings) as sessions, unit_of_work(sessions) as session:
            await require_merchant(session, merchant)
            rows = await connection_queries.list_connection_rows(session, merchant)
            return [
                connection_queries.view(r, cipher, public=connector_for(Provider(r.provider)).public_credentials)
                for r in rows
            ]

    print_connections(run(main))


def print_connections(views: list[connection_queries.ConnectionView]) -> None:
    table = wrapping_table("provider", "base_url", "credentials", "options", "enabled")
    for v in views:
        creds = ", ".join(f"{k}={m}" for k, m in v.credentials.items())
        opts = ", ".join(f"{k}={o}" for k, o in v.options.items())
        table.add_row(v.provider, v.base_url, creds, opts, "yes" if v.enabled else "no")
    console.print(table)


@shipments_app.command("list")
def shipments_list(
    merchant: MerchantOpt,
    status: Annotated[DeliveryStatus | None, typer.Option()] = None,
    carrier: Annotated[str | None, typer.Option()] = None,
    order_id: Annotated[str | None, typer.Option()] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
    cursor: Annotated[str | None, typer.Option(help="next cursor printed by the previous page")] = None,
) -> None:
    """List a merchant's shipments, newest last, one page at a time."""
    from parcelsync.domain.carriers import default_registry

    filters = shipment_queries.ShipmentFilter(
        status=status.value if status else None,
        carrier=default_registry().canonical(carrier) if carrier else None,
        order_id=order_id,
    )

    async def main() -> tuple[shipment_queries.Page, dict[int, Any]]:
        async with database(load_settings()) as sessions, unit_of_work(sessions) as session:
            await require_merchant(session, merchant)
            page = await shipment_queries.list_shipments(session, merchant, filters, limit=limit, cursor=cursor)
            return page, await expected_for(session, merchant, page.items)

    try:
        page, windows = run(main)
    except shipment_queries.CursorError as exc:
        fail(str(exc))
    table = Table("id", "carrier", "tracking_number", "status", "order_id", "payment_intent_id", "updated", "expected")
    for s in page.items:
        updated = s.updated_at.isoformat(timespec="seconds")
        row = (str(s.id), s.carrier, s.tracking_number, s.status, s.order_id, s.payment_intent_id, updated)
        table.add_row(*row, describe(windows[s.id]))
    console.print(table)
    if page.next_cursor:
        console.print(f"next page: --cursor {page.next_cursor}")


@shipments_app.command("show")
def shipments_show(shipment_id: int, merchant: MerchantOpt) -> None:
    """Show one shipment."""

    async def main() -> dict[str, Any] | None:
        async with database(load_settings()) as sessions, unit_of_work(sessions) as session:
            row = await shipment_queries.get_shipment(session, merchant, shipment_id)
            if row is None:
                return None
            window = (await expected_for(session, merchant, [row]))[row.id]
            columns = {c.key: getattr(row, c.key) for c in row.__table__.columns}
            return {**columns, "expected_delivery": describe(window)}

    shown = run(main)
    if shown is None:
        fail(f"no shipment {shipment_id} for merchant {merchant!r}", code=1)
    table = Table("field", "value", show_header=False)
    for key, value in shown.items():
        table.add_row(key, "" if value is None else str(value))
    console.print(table)


@app.command("import")
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
                    bar.update(task, completed=min(stream.buffer.tell(), size), rows=rows)

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


@keys_app.command("generate")
def keys_generate() -> None:
    """Print a new secret key for PARCELSYNC_SECRET_KEY."""
    typer.echo(generate_key())


def demo_secret_key() -> str:
    """PARCELSYNC_SECRET_KEY if set, else the key kept in ./.parcelsync-demo-key (created on first use)."""
    configured = os.environ.get("PARCELSYNC_SECRET_KEY")
    if configured:
        return configured
    if DEMO_KEY_FILE.exists():
        return DEMO_KEY_FILE.read_text().strip()
    key = generate_key()
    DEMO_KEY_FILE.touch(mode=0o600)
    DEMO_KEY_FILE.write_text(key + "\n")
    return key


import parcelsync.commands  # noqa: E402,F401  (registers the commands other packages contribute)
