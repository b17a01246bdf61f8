"""`parcelsync tokens create|list|revoke`: API tokens, shown once and stored hashed."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from parcelsync.activity.record import Actor
from parcelsync.cli.support import console, database, fail, load_settings, run
from parcelsync.db.engine import unit_of_work
from parcelsync.security import tokens
from parcelsync.security.tokens import IssuedToken, Scope, TokenError, TokenInfo

tokens_app = typer.Typer(help="API tokens (Authorization: Bearer ...).", no_args_is_help=True)


@tokens_app.command("create")
def tokens_create(
    scope: Annotated[Scope, typer.Option(help="read (GET only), write (its merchant's data) or admin (everything).")],
    merchant: Annotated[str | None, typer.Option("--merchant", "-m", help="Merchant id (not for admin).")] = None,
    name: Annotated[str, typer.Option(help="A label, e.g. the system that uses it.")] = "",
) -> None:
    """Create a token and print it once: only its hash is kept."""

    async def main() -> IssuedToken:
        async with database(load_settings()) as sessions:
            return await tokens.issue_token(sessions, scope=scope, merchant_id=merchant, name=name)

    try:
        issued = run(main)
    except TokenError as exc:
        fail(str(exc))
    whose = f"merchant {merchant}" if merchant else "every merchant"
    console.print(f"token {issued.id} ({scope.value}, {whose}); store it now, it is not shown again:", highlight=False)
    typer.echo(issued.secret)


@tokens_app.command("list")
def tokens_list(
    merchant: Annotated[str | None, typer.Option("--merchant", "-m", help="Only this merchant's tokens.")] = None,
) -> None:
    """List tokens (prefix only, never the token)."""

    async def main() -> list[TokenInfo]:
        async with database(load_settings()) as sessions, unit_of_work(sessions) as session:
            return await tokens.list_tokens(session, merchant_id=merchant)

    table = Table("id", "prefix", "scope", "merchant", "name", "created", "last used", "revoked")
    for t in run(main):
        when = [x.isoformat(timespec="seconds") if x else "" for x in (t.created_at, t.last_used_at, t.revoked_at)]
        table.add_row(str(t.id), t.prefix + "…", t.scope.value, t.merchant_id or "(admin)", t.name, *when)
    console.print(table)


@tokens_app.command("revoke")
def tokens_revoke(token_id: Annotated[int, typer.Argument(help="The id shown by `tokens list`.")]) -> None:
    """Revoke a token at once."""

    async def main() -> bool:
        async with database(load_settings()) as sessions, unit_of_work(sessions) as session:
            return await tokens.revoke_token(session, token_id, actor=Actor.cli())

    if not run(main):
        fail(f"no active token {token_id}", code=1)
    console.print(f"token {token_id} revoked")
