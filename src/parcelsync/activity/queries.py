"""Reading the activity log, newest first, for one merchant or (admins) every merchant."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.db.tables import ActivityRow

PAGE_SIZE = 50


@dataclass(frozen=True, slots=True)
class ActivityEntry:
    id: int
    at: datetime
    merchant_id: str | None
    actor_kind: str
    actor: str
    action: str
    subject: str
    details: dict[str, Any]


async def list_activity(
    session: AsyncSession, *, merchant_id: str | None, limit: int = PAGE_SIZE, before: int | None = None
) -> list[ActivityEntry]:
    """The newest entries (id < before); merchant_id None lists every merchant's and the global ones."""
    query = select(ActivityRow).order_by(ActivityRow.id.desc()).limit(limit)
    if merchant_id is not None:
        query = query.where(ActivityRow.merchant_id == merchant_id)
    if before is not None:
        query = query.where(ActivityRow.id < before)
    return [
        ActivityEntry(r.id, r.at, r.merchant_id, r.actor_kind, r.actor, r.action, r.subject, dict(r.details or {}))
        for r in (await session.execute(query)).scalars()
    ]
