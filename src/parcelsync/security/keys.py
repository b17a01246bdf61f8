"""Key rotation: re-encrypt every connection's stored credentials with the newest configured key."""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.fernet import InvalidToken
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from parcelsync.db.crypto import CredentialCipher, SecretKeyError
from parcelsync.db.engine import unit_of_work
from parcelsync.db.tables import ConnectionRow

BATCH = 200


@dataclass(frozen=True, slots=True)
class RotationReport:
    rotated: int
    empty: int


async def rotate_credentials(sessions: async_sessionmaker[AsyncSession], cipher: CredentialCipher) -> RotationReport:
    """Re-encrypt all credentials with the cipher's first key (each batch in its own transaction).

    Run with PARCELSYNC_SECRET_KEY="new,old"; once it reports success the old key can be dropped.
    A row no configured key can decrypt stops the run with its connection id (nothing secret).
    """
    rotated = empty = 0
    after = 0
    while True:
        async with unit_of_work(sessions) as session:
            rows = (
                await session.execute(
                    select(ConnectionRow).where(ConnectionRow.id > after).order_by(ConnectionRow.id).limit(BATCH)
                )
            ).scalars().all()
            for row in rows:
                if not row.credentials_enc:
                    empty += 1
                    continue
                try:
                    row.credentials_enc = cipher.rotate(row.credentials_enc)
                except (SecretKeyError, InvalidToken):
                    raise SecretKeyError(
                        f"connection {row.id} ({row.merchant_id}/{row.provider}) cannot be decrypted with any "
                        "configured key; keep its key in PARCELSYNC_SECRET_KEY"
                    ) from None
                rotated += 1
        if len(rows) < BATCH:
            return RotationReport(rotated=rotated, empty=empty)
        after = rows[-1].id
