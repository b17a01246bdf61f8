"""`parcelsync users create|passwd|deactivate|activate|sessions|end-sessions`: dashboard users.

Passwords are argon2-hashed; a password change or a deactivation ends every session of that user at once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.activity.record import Actor
from parcelsync.cli.support import console, database, fail, load_settings, run
from parcelsync.console_tables import wrapping_table
from parcelsync.db.base import utcnow
from parcelsync.db.engine import unit_of_work
from parcelsync.security import passwords, web_sessions
from parcelsync.security.passwords import PasswordPolicyError
from parcelsync.security.roles import Role

users_app = typer.Typer(help="Dashboard users.", no_args_is_help=True)

T = TypeVar("T")

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
    role: Annotated[
        Role | None,
        typer.Option(
            help="admin (every merchant), operator (may retry and import) or viewer (read-only); "
            "default: admin without --merchant, operator with it."
        ),
    ] = None,
) -> None:
    """Create a dashboard user."""

    async def main() -> passwords.User:
        async with database(load_settings()) as sessions, unit_of_work(sessions) as session:
            return await passwords.create_user(
                session, username, password, merchant_id=merchant, role=role, actor=Actor.cli()
            )

    try:
        user = run(main)
    except PasswordPolicyError as exc:
        fail(str(exc))
    scope = f"merchant {user.merchant_id}" if user.merchant_id else "all merchants"
    console.print(f"created user {user.username} ({user.role.value}, {scope})")


@users_app.command("passwd")
def users_passwd(username: str, password: PasswordOpt) -> None:
    """Set a user's password."""

    async def main() -> bool:
        async with database(load_settings()) as sessions, unit_of_work(sessions) as session:
            return await passwords.set_password(session, username, password, actor=Actor.cli())

    try:
        changed = run(main)
    except PasswordPolicyError as exc:
        fail(str(exc))
    if not changed:
        fail(f"no user {username!r}", code=1)
    console.print(f"password of {username} changed; every session of theirs has ended")


def _on_user(work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run one unit of work on the configured database; an unknown user is a clear error (exit 1)."""

    async def main() -> T:
        async with database(load_settings()) as sessions, unit_of_work(sessions) as session:
            return await work(session)

    try:
        return run(main)
    except web_sessions.UserNotFound as exc:
        fail(str(exc), code=1)


@users_app.command("deactivate")
def users_deactivate(username: str) -> None:
    """Stop a user from logging in and end every session of theirs now."""
    ended = _on_user(lambda s: web_sessions.deactivate_user(s, username, utcnow()))
    console.print(f"deactivated {username}; {ended} session(s) ended")


@users_app.command("activate")
def users_activate(username: str) -> None:
    """Let a deactivated user log in again."""
    changed = _on_user(lambda s: web_sessions.activate_user(s, username))
    console.print(f"activated {username}" if changed else f"{username} was already active")


@users_app.command("sessions")
def users_sessions(username: str) -> None:
    """List a user's dashboard sessions, newest first (ended ones are kept for 30 days)."""
    settings = load_settings()
    policy = web_sessions.SessionPolicy(settings.session_idle_timeout_s, settings.session_absolute_timeout_s)
    found = _on_user(lambda s: web_sessions.list_sessions(s, username, policy, utcnow()))
    if not found:
        console.print(f"{username} has no sessions")
        return
    table = wrapping_table("id", "state", "started", "last seen", "address", "browser")
    for info in found:
        started, seen = f"{info.created_at:%Y-%m-%d %H:%M}", f"{info.last_seen_at:%Y-%m-%d %H:%M}"
        table.add_row(info.id_prefix, info.state.value, started, seen, info.ip, info.user_agent)
    console.print(table)


@users_app.command("end-sessions")
def users_end_sessions(username: str) -> None:
    """End every session of a user now (they must log in again)."""
    ended = _on_user(lambda s: web_sessions.end_sessions_of(s, username, utcnow()))
    console.print(f"{ended} session(s) of {username} ended")
