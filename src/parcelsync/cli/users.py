"""`parcelsync users create|passwd`: dashboard users with argon2-hashed passwords."""

from __future__ import annotations

from typing import Annotated

import typer

from parcelsync.cli.support import console, database, fail, load_settings, run
from parcelsync.db.engine import unit_of_work
from parcelsync.security import passwords
from parcelsync.security.passwords import PasswordPolicyError

users_app = typer.Typer(help="Dashboard users.", no_args_is_help=True)

PasswordOpt = Annotated[
    str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True, help="Asked for when left out.")
]


@users_app.command("create")
def users_create(
    username: str,
    password: PasswordOpt,
    merchant: Annotated[
        str | None, typer.Option("--merchant", "-m", help="Limit the user to one merchant (default: all).")
    ] = None,
) -> None:
    """Create a dashboard user."""

    async def main() -> passwords.User:
        async with database(load_settings()) as sessions, unit_of_work(sessions) as session:
            return await passwords.create_user(session, username, password, merchant_id=merchant)

    try:
        user = run(main)
    except PasswordPolicyError as exc:
        fail(str(exc))
    scope = f"merchant {user.merchant_id}" if user.merchant_id else "all merchants"
    console.print(f"created user {user.username} ({scope})")


@users_app.command("passwd")
def users_passwd(username: str, password: PasswordOpt) -> None:
    """Set a user's password."""

    async def main() -> bool:
        async with database(load_settings()) as sessions, unit_of_work(sessions) as session:
            return await passwords.set_password(session, username, password)

    try:
        changed = run(main)
    except PasswordPolicyError as exc:
        fail(str(exc))
    if not changed:
        fail(f"no user {username!r}", code=1)
    console.print(f"password of {username} changed")
