"""`parcelsync db upgrade`: migrate the database schema."""

from __future__ import annotations

import typer

from parcelsync.cli.support import console, load_settings
from parcelsync.db import migrate

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Migrate the database to the newest schema."""
    settings = load_settings()
    migrate.upgrade_sync(settings.database_url)
    console.print(f"database at revision {migrate.head_revision()}")
