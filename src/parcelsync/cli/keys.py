"""`parcelsync keys generate|rotate`, and the demo's secret key kept in a file."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from parcelsync.cli.support import cipher_for, console, database, fail, load_settings, run
from parcelsync.db.crypto import SecretKeyError, generate_key
from parcelsync.db.engine import unit_of_work
from parcelsync.outbound.endpoints import reencrypt_secrets
from parcelsync.security.keys import RotationReport, rotate_credentials

keys_app = typer.Typer(help="Secret keys.", no_args_is_help=True)
DEMO_KEY_FILE = Path(".parcelsync-demo-key")


@keys_app.command("generate")
def keys_generate() -> None:
    """Print a new secret key for PARCELSYNC_SECRET_KEY."""
    typer.echo(generate_key())


@keys_app.command("rotate")
def keys_rotate() -> None:
    """Re-encrypt stored credentials with the first key of PARCELSYNC_SECRET_KEY="new,old"; then drop the old key."""
    settings = load_settings()
    if not settings.secret_key:
        fail("PARCELSYNC_SECRET_KEY is not set: give the new key first, then the old ones, comma-separated")
    cipher = cipher_for(settings)

    async def main() -> RotationReport:
        async with database(settings) as sessions:
            report = await rotate_credentials(sessions, cipher)
            async with unit_of_work(sessions) as session:
                await reencrypt_secrets(session, cipher)
            return report

    try:
        report = run(main)
    except SecretKeyError as exc:
        fail(str(exc))
    console.print(
        f"re-encrypted {report.rotated} connection(s) with the newest key ({report.empty} without credentials); "
        "the older keys can now be removed from PARCELSYNC_SECRET_KEY"
    )


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

