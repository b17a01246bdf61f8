"""What is wrong right now, per rule: the (rule, subject) pairs that hold for a merchant, with their details.

Each function returns the conditions of one rule; `evaluate` compares them with the open alerts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.db.tables import CheckpointRow, ConnectionRow, EventRow, ShipmentRow, SyncTargetRow
from parcelsync.expected.store import expected_for

FINAL = ("delivered", "expired")
PROBLEM = ("exception", "failed_attempt")


@dataclass(frozen=True, slots=True)
class Condition:
    rule: str
    subject: str
    title: str
    shipment_id: int | None = None
    detail: dict[str, Any] = field(default_factory=dict)


def _live(merchant_id: str) -> list[Any]:
    return [ShipmentRow.merchant_id == merchant_id, ShipmentRow.deleted_at.is_(None)]


async def exceptions(session: AsyncSession, merchant_id: str) -> list[Condition]:
    rows = await session.execute(
        select(ShipmentRow.id, ShipmentRow.tracking_number, ShipmentRow.status, ShipmentRow.last_event).where(
            *_live(merchant_id), ShipmentRow.status.in_(PROBLEM)
        )
    )
    return [
        Condition(
            "exception",
            f"shipment:{r.id}",
            f"{r.tracking_number}: {r.status.replace('_', ' ')}",
            r.id,
            {"status": r.status, "last_event": r.last_event},
        )
        for r in rows
    ]


async def stuck(session: AsyncSession, merchant_id: str, *, days: float, now: datetime) -> list[Condition]:
    """Not delivered, and the newest checkpoint (or the registration, without any) is older than `days`."""
    last = func.max(CheckpointRow.time).label("last")
    rows = await session.execute(
        select(ShipmentRow.id, ShipmentRow.tracking_number, ShipmentRow.created_at, last)
        .outerjoin(CheckpointRow, CheckpointRow.shipment_id == ShipmentRow.id)
        .where(*_live(merchant_id), ShipmentRow.status.not_in(FINAL))
        .group_by(ShipmentRow.id, ShipmentRow.tracking_number, ShipmentRow.created_at)
    )
    cutoff = now - timedelta(days=days)
    out = []
    for r in rows:
        seen = r.last or r.created_at
        seen = seen if seen.tzinfo is not None else seen.replace(tzinfo=UTC)
        if seen < cutoff:
            idle = (now - seen).days
            out.append(
                Condition(
                    "stuck",
                    f"shipment:{r.id}",
                    f"{r.tracking_number}: no news for {idle} days",
                    r.id,
                    {"last_checkpoint_at": seen.isoformat(), "days": idle},
                )
            )
    return out


async def late(session: AsyncSession, merchant_id: str, *, grace_days: float, now: datetime) -> list[Condition]:
    """Not delivered, and past the latest expected date (plus `grace_days`)."""
    rows = (
        await session.scalars(select(ShipmentRow).where(*_live(merchant_id), ShipmentRow.status.not_in(FINAL)))
    ).all()
    windows = await expected_for(session, merchant_id, rows)
    today = now.date()
    out = []
    for row in rows:
        latest = windows[row.id].latest
        if latest is not None and (today - latest).days > grace_days:
            out.append(
                Condition(
                    "late",
                    f"shipment:{row.id}",
                    f"{row.tracking_number}: expected by {latest}",
                    row.id,
                    {"latest": latest.isoformat(), "basis": windows[row.id].basis},
                )
            )
    return out


async def sync_failed(session: AsyncSession, merchant_id: str) -> list[Condition]:
    rows = await session.execute(
        select(SyncTargetRow.provider, SyncTargetRow.target_key, SyncTargetRow.state, SyncTargetRow.reason).where(
            SyncTargetRow.merchant_id == merchant_id, SyncTargetRow.state.in_(("parked", "dead"))
        )
    )
    return [
        Condition(
            "sync_failed",
            f"target:{r.provider}:{r.target_key}",
            f"{r.provider} {r.target_key}: {r.state}",
            None,
            {"provider": r.provider, "target_key": r.target_key, "state": r.state, "reason": r.reason},
        )
        for r in rows
    ]


async def connection_paused(
    session: AsyncSession, merchant_id: str, *, minutes: float, now: datetime
) -> list[Condition]:
    """Connections still paused whose pause began (the unresumed `connection.paused` event) over `minutes` ago."""
    paused = await session.execute(
        select(ConnectionRow.provider, ConnectionRow.pause_reason).where(
            ConnectionRow.merchant_id == merchant_id,
            ConnectionRow.pause_reason.is_not(None),
            ConnectionRow.paused_until.is_not(None),
        )
    )
    out = []
    for provider, reason in paused:
        last = (
            await session.execute(
                select(EventRow.type, EventRow.created_at)
                .where(
                    EventRow.merchant_id == merchant_id,
                    EventRow.subject == f"connection:{provider}",
                    EventRow.type.in_(("connection.paused", "connection.resumed")),
                )
                .order_by(EventRow.id.desc())
                .limit(1)
            )
        ).first()
        if (
            last is not None
            and last.type == "connection.paused"
            and last.created_at <= now - timedelta(minutes=minutes)
        ):
            out.append(
                Condition(
                    "connection_paused",
                    f"connection:{provider}",
                    f"{provider} connection paused",
                    None,
                    {"provider": provider, "reason": reason, "since": last.created_at.isoformat()},
                )
            )
    return out
