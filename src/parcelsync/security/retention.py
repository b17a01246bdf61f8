"""Housekeeping: delete audit rows past the retention period, expired idempotency keys and rate counters."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from parcelsync.db.base import utcnow
from parcelsync.db.engine import unit_of_work
from parcelsync.db.tables import AuditRow
from parcelsync.logging import get_logger
from parcelsync.payments.receipts import DEFAULT_RETENTION_DAYS as RECEIPT_RETENTION_DAYS
from parcelsync.payments.receipts import prune_receipts
from parcelsync.security import db_throttle
from parcelsync.security.idempotency import DEFAULT_TTL_S, prune_idempotency_keys

CHUNK = 5000
log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class PruneReport:
    audit_rows: int
    idempotency_keys: int
    receipts: int = 0
    rate_counters: int = 0


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
    receipt_retention_days: int = RECEIPT_RETENTION_DAYS,
) -> PruneReport:
    """One housekeeping pass (the worker runs it now and then; `parcelsync audit prune` runs it on demand).

    Sync receipts have their own, longer retention: pruning the audit log never takes them. Rate counters
    (login throttling, tracking-page lookups) go once both their windows are over: no decision reads them.
    """
    now = now or utcnow()
    audit = await prune_audit_log(sessions, older_than=now - timedelta(days=audit_retention_days))
    async with unit_of_work(sessions) as session:
        keys = await prune_idempotency_keys(session, older_than=now - timedelta(seconds=idempotency_ttl_s))
        counters = await db_throttle.prune(session, before=now)
    receipts = await prune_receipts(sessions, older_than=now - timedelta(days=receipt_retention_days))
    return PruneReport(audit_rows=audit, idempotency_keys=keys, receipts=receipts, rate_counters=counters)



class PeriodicPrune:
    """A housekeeping callable for `Worker.run`: runs `housekeeping` at most once per `every_s`."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        audit_retention_days: int,
        receipt_retention_days: int = RECEIPT_RETENTION_DAYS,
        every_s: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sessions = sessions
        self._days = audit_retention_days
        self._receipt_days = receipt_retention_days
        self._every_s = every_s
        self._clock = clock
        self._last: float | None = None

    async def __call__(self) -> PruneReport | None:
        now = self._clock()
        if self._last is not None and now - self._last < self._every_s:
            return None
        self._last = now
        report = await housekeeping(
            self._sessions, audit_retention_days=self._days, receipt_retention_days=self._receipt_days
        )
        if report.audit_rows or report.idempotency_keys or report.receipts or report.rate_counters:
            log.info(
                "housekeeping", audit_rows=report.audit_rows, idempotency_keys=report.idempotency_keys,
                receipts=report.receipts, rate_counters=report.rate_counters,
            )
        return report
