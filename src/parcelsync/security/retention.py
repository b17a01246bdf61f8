"""Housekeeping: delete audit rows past the retention period and expired idempotency keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from parcelsync.db.base import utcnow
from parcelsync.db.engine import unit_of_work
from parcelsync.db.tables import AuditRow
from parcelsync.security.idempotency import DEFAULT_TTL_S, prune_idempotency_keys

CHUNK = 5000


@dataclass(frozen=True, slots=True)
class PruneReport:
    audit_rows: int
    idempotency_keys: int


async def prune_audit_log(sessions: async_sessionmaker[AsyncSession], *, older_than: datetime) -> int:
    """Delete audit rows older than `older_than`, in chunks so no transaction grows large."""
    total = 0
    while True:
        async with unit_of_work(sessions) as session:
            ids = (
                await session.execute(select(AuditRow.id).where(AuditRow.at < older_than).limit(CHUNK))
            ).scalars().all()
            if ids:
                await session.execute(delete(AuditRow).where(AuditRow.id.in_(ids)))
        total += len(ids)
        if len(ids) < CHUNK:
            return total


async def housekeeping(
    sessions: async_sessionmaker[AsyncSession],
    *,
    audit_retention_days: int,
    now: datetime | None = None,
    idempotency_ttl_s: float = DEFAULT_TTL_S,
) -> PruneReport:
    """One housekeeping pass (the worker runs it now and then; `parcelsync audit prune` runs it on demand)."""
    now = now or utcnow()
    audit = await prune_audit_log(sessions, older_than=now - timedelta(days=audit_retention_days))
    async with unit_of_work(sessions) as session:
        keys = await prune_idempotency_keys(session, older_than=now - timedelta(seconds=idempotency_ttl_s))
    return PruneReport(audit_rows=audit, idempotency_keys=keys)

