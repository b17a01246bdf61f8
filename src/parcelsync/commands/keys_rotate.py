"""`parcelsync keys rotate`: re-encrypt every connection's credentials (and webhook secrets) with the newest key."""

from __future__ import annotations

from parcelsync.cli import cipher_for, console, database, fail, keys_app, load_settings, run
from parcelsync.db.crypto import SecretKeyError
from parcelsync.db.engine import unit_of_work
from parcelsync.outbound.endpoints import reencrypt_secrets
from parcelsync.security.keys import RotationReport, rotate_credentials


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
