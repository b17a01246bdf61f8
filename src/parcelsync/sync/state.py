"""Read models of the sync state: per-shipment destinations and the queue status (API, CLI, metrics)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.db.tables import ConnectionRow, SyncTargetRow
from parcelsync.domain.provider import Provider
from parcelsync.domain.status import TargetState
from parcelsync.sync.destinations import read_destinations
from parcelsync.sync.keys import HasTargetFields
from parcelsync.sync.outbox import STATES

T = SyncTargetRow


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _target_view(row: SyncTargetRow) -> dict[str, Any]:
    return {
        "state": row.state,
        "target_key": row.target_key,
        "acked_version": row.acked_version,
        "desired_version": row.desired_version,
        "reason": row.reason,
        "attempts": row.attempts,
        "next_attempt_at": _iso(row.next_attempt_at) if row.state == TargetState.PENDING.value else None,
        "last_attempt_at": _iso(row.last_attempt_at),
        "last_outcome": row.last_outcome,
        "synced_at": _iso(row.synced_at),
    }


async def destinations_for(session: AsyncSession, shipment: HasTargetFields) -> dict[str, dict[str, Any]]:
    """Per destination: the target's sync state, or `skipped` with why (no connection / key missing)."""
    out: dict[str, dict[str, Any]] = {}
    for d in await read_destinations(session, shipment):
        if d.target is not None:
            out[d.provider.value] = _target_view(d.target)
        elif d.state == TargetState.SKIPPED.value:
            out[d.provider.value] = {"state": d.state, "reason": d.reason}
        else:
            out[d.provider.value] = {"state": d.state, "reason": d.reason, "target_key": d.key.key if d.key else None}
    return out


@dataclass(frozen=True, slots=True)
class QueueStatus:
    """One provider's queue: pending targets, how many are due now, and the oldest one's age."""

    depth: int
    due: int
    oldest_age_s: float | None


@dataclass(frozen=True, slots=True)
class PausedConnection:
    merchant_id: str
    provider: str
    paused_until: str | None
    reason: str | None


@dataclass(frozen=True, slots=True)
class SyncStatus:
    queues: dict[str, QueueStatus]
    counts: dict[str, dict[str, int]]
    paused: list[PausedConnection] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


async def sync_status(session: AsyncSession, now: datetime, *, merchant_id: str | None = None) -> SyncStatus:
    """Queue depth and oldest pending age per provider, counts by state, paused connections."""
    scope = [T.merchant_id == merchant_id] if merchant_id is not None else []
    counts: dict[str, dict[str, int]] = {p.value: dict.fromkeys(STATES, 0) for p in Provider}
    for provider, state, n in await session.execute(
        select(T.provider, T.state, func.count()).where(*scope).group_by(T.provider, T.state)
    ):
        counts.setdefault(provider, dict.fromkeys(STATES, 0))[state] = n
    queues: dict[str, QueueStatus] = {}
    pending = await session.execute(
        select(
            T.provider,
            func.count(),
            func.sum(case((T.next_attempt_at <= now, 1), else_=0)),
            func.min(func.coalesce(T.pending_since, T.updated_at)),
        )
        .where(T.state == TargetState.PENDING.value, *scope)
        .group_by(T.provider)
    )
    for provider, depth, due, oldest in pending:
        age = max(0.0, (now - oldest).total_seconds()) if oldest is not None else None
        queues[provider] = QueueStatus(depth, int(due or 0), age)
    for provider in Provider:
        queues.setdefault(provider.value, QueueStatus(0, 0, None))
    conn_scope = [ConnectionRow.merchant_id == merchant_id] if merchant_id is not None else []
    paused_rows = await session.execute(
        select(
            ConnectionRow.merchant_id, ConnectionRow.provider, ConnectionRow.paused_until, ConnectionRow.pause_reason
        )
        .where(ConnectionRow.paused_until > now, *conn_scope)
        .order_by(ConnectionRow.merchant_id, ConnectionRow.provider)
    )
    paused = [PausedConnection(m, p, _iso(u), r) for m, p, u, r in paused_rows]
    return SyncStatus(queues, counts, paused)
