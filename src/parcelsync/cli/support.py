"""What every `parcelsync` command module shares: the consoles, failing, settings, running, sessions, option types.

The command modules import from here and never from `parcelsync.cli` itself, which builds the app and registers
them (see `parcelsync/cli/__init__.py`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from parcelsync.db import migrate
from parcelsync.db.crypto import CredentialCipher, SecretKeyError
from parcelsync.db.engine import make_engine, make_sessionmaker
from parcelsync.db.queries import merchants as merchant_queries
from parcelsync.settings import Settings

T = TypeVar("T")

console = Console()
err_console = Console(stderr=True)
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
