"""`parcelsync connections set|list`: a merchant's provider connections (credentials never printed)."""

from __future__ import annotations

from typing import Annotated

import typer

from parcelsync.activity.record import Actor
from parcelsync.cli.support import (
    MerchantOpt,
    cipher_for,
    console,
    database,
    fail,
    load_settings,
    parse_option_value,
    parse_pairs,
    require_merchant,
    run,
)
from parcelsync.connectors.registry import connector_for
from parcelsync.console_tables import wrapping_table
from parcelsync.db.engine import unit_of_work
from parcelsync.db.queries import connections as connection_queries
from parcelsync.domain.provider import Provider
from parcelsync.ingest.connections import ConnectionChange, change_connection
from parcelsync.ingest.errors import InvalidInput

connections_app = typer.Typer(help="A merchant's provider connections.", no_args_is_help=True)


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
            row, _ = await change_connection(
                session, cipher, merchant, provider, change, mode="upsert", actor=Actor.cli()
            )
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
