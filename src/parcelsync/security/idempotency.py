"""Idempotency-Key storage: the same key with the same request replays the stored response.

Keys are scoped to the caller's token (the SHA-256 of the bearer token), so two callers can never
see each other's responses. A key first claims a placeholder row (status 0) so a concurrent retry
gets 409 instead of running twice. Only settled outcomes are stored (2xx and 4xx other than auth,
validation, conflict, size and rate errors); anything else frees the key so the client may retry.
Keys expire after `ttl_s`.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from parcelsync.db.base import utcnow
from parcelsync.db.engine import unit_of_work
from parcelsync.db.results import rows_affected
from parcelsync.db.tables import IdempotencyKeyRow

DEFAULT_TTL_S = 24 * 3600
IN_PROGRESS_STALE_S = 300
_NOT_STORED = frozenset({401, 403, 408, 409, 413, 422, 429})


class Outcome(enum.Enum):
    STARTED = "started"
    REPLAY = "replay"
    MISMATCH = "mismatch"
    IN_PROGRESS = "in_progress"


@dataclass(frozen=True, slots=True)
class Claim:
    outcome: Outcome
    status_code: int = 0
    body: str = ""


def fingerprint(method: str, path: str, query: bytes, body: bytes) -> str:
    digest = hashlib.sha256(f"{method.upper()} {path}?".encode())
    digest.update(query + b"\n" + body)
    return digest.hexdigest()


def caller_scope(authorization: str) -> str:
    """The idempotency scope of a caller: a hash of its bearer token (never the token itself)."""
    token = authorization.partition(" ")[2].strip() or authorization.strip()
    return "tok:" + hashlib.sha256(token.encode()).hexdigest()


def should_store(status: int) -> bool:
    return 200 <= status < 500 and status not in _NOT_STORED


class IdempotencyStore:
    """The idempotency_keys table, each step in its own short transaction."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, ttl_s: float = DEFAULT_TTL_S) -> None:
        self._sessions = sessions
        self.ttl = timedelta(seconds=ttl_s)

    async def _existing(self, session: AsyncSession, scope: str, key: str) -> IdempotencyKeyRow | None:
        query = select(IdempotencyKeyRow).where(IdempotencyKeyRow.scope == scope, IdempotencyKeyRow.key == key)
        return (await session.execute(query)).scalar_one_or_none()

    def _expired(self, row: IdempotencyKeyRow, now: datetime) -> bool:
        if row.status_code == 0:
            return now - row.created_at > timedelta(seconds=IN_PROGRESS_STALE_S)
        return now - row.created_at > self.ttl

    async def claim(self, scope: str, key: str, method: str, path: str, body_hash: str) -> Claim:
        for _ in range(2):
            async with unit_of_work(self._sessions) as session:
                row = await self._existing(session, scope, key)
                if row is not None and self._expired(row, utcnow()):
                    await session.delete(row)
                    row = None
                if row is not None:
                    if (row.method, row.path, row.body_hash) != (method, path, body_hash):
                        return Claim(Outcome.MISMATCH)
                    if row.status_code == 0:
                        return Claim(Outcome.IN_PROGRESS)
                    return Claim(Outcome.REPLAY, row.status_code, row.response_body)
            try:
                async with unit_of_work(self._sessions) as session:
                    session.add(
                        IdempotencyKeyRow(
                            scope=scope, key=key, method=method, path=path[:1000], body_hash=body_hash,
                            status_code=0, response_body="",
                        )
                    )
                return Claim(Outcome.STARTED)
            except IntegrityError:
                continue
        return Claim(Outcome.IN_PROGRESS)

    async def finish(self, scope: str, key: str, status_code: int, body: str) -> None:
        async with unit_of_work(self._sessions) as session:
            row = await self._existing(session, scope, key)
            if row is not None:
                row.status_code = status_code
                row.response_body = body
                row.created_at = utcnow()

    async def release(self, scope: str, key: str) -> None:
        async with unit_of_work(self._sessions) as session:
            await session.execute(
                delete(IdempotencyKeyRow).where(
                    IdempotencyKeyRow.scope == scope, IdempotencyKeyRow.key == key, IdempotencyKeyRow.status_code == 0
                )
            )


async def prune_idempotency_keys(session: AsyncSession, *, older_than: datetime) -> int:
    result = await session.execute(delete(IdempotencyKeyRow).where(IdempotencyKeyRow.created_at < older_than))
    return rows_affected(result) or 0
