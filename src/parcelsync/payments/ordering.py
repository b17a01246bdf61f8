"""Payment intents in the list's order, in SQL: oldest shipped first (earliest ship date, else the day the
parcel was recorded), then by id, as `service.list_intents` sorts views by (-age_hours, id).

An intent's age is clamped at 0, so every intent shipped on a day still ahead (or exactly now) ties and
is ordered by id alone: the SQL key clamps the day at `cutoff` the same way. Ids compare by code point
as in Python (PostgreSQL is told COLLATE "C"). Age filters become bounds on the ship day.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Date, Select, case, func, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.db.tables import ShipmentRow
from parcelsync.payments.candidates import intent_count


@dataclass(frozen=True, slots=True)
class DayBounds:
    """Ship days an intent must fall in (inclusive), from the age and ship-date filters."""

    first: date | None = None
    last: date | None = None

    @classmethod
    def of(
        cls, now: datetime, *, min_age_hours: float | None = None, max_age_hours: float | None = None,
        shipped_from: date | None = None, shipped_to: date | None = None,
    ) -> DayBounds:
        last = shipped_to
        if min_age_hours is not None and min_age_hours > 0:
            latest = (now - timedelta(hours=min_age_hours)).date()
            last = latest if last is None else min(last, latest)
        first = shipped_from
        if max_age_hours is not None:
            earliest = _first_day_from(now - timedelta(hours=max_age_hours))
            first = earliest if first is None else max(first, earliest)
        return cls(first, last)

    def holds(self, day: date | None) -> bool:
        if self.first is None and self.last is None:
            return True
        if day is None:
            return False
        return (self.first is None or day >= self.first) and (self.last is None or day <= self.last)


def _first_day_from(at: datetime) -> date:
    """The first day whose midnight is at or after `at`."""
    return at.date() if at.time() == time(0) else at.date() + timedelta(days=1)


def _shipped_on(session: AsyncSession) -> Any:
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    created = ShipmentRow.created_at if dialect == "sqlite" else func.timezone("UTC", ShipmentRow.created_at)
    return type_coerce(func.min(func.coalesce(ShipmentRow.ship_date, func.date(created))), Date)


def _intent_id(session: AsyncSession) -> Any:
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    return ShipmentRow.payment_intent_id.collate("C") if dialect == "postgresql" else ShipmentRow.payment_intent_id


def ordered(session: AsyncSession, merchant_id: str, now: datetime, bounds: DayBounds, *extra: Any) -> Select[Any]:
    """(intent id, shipped on, *extra) per intent with live parcels within `bounds`, in the list's order."""
    shipped = _shipped_on(session)
    cutoff = _first_day_from(now)
    key = case((shipped >= cutoff, cutoff), else_=shipped)
    stmt = (
        select(ShipmentRow.payment_intent_id, shipped, *extra)
        .where(
            ShipmentRow.merchant_id == merchant_id,
            ShipmentRow.deleted_at.is_(None),
            ShipmentRow.payment_intent_id.is_not(None),
        )
        .group_by(ShipmentRow.payment_intent_id)
        .order_by(key, _intent_id(session))
    )
    if bounds.first is not None:
        stmt = stmt.having(shipped >= bounds.first)
    if bounds.last is not None:
        stmt = stmt.having(shipped <= bounds.last)
    return stmt


async def page_ids(
    session: AsyncSession, merchant_id: str, now: datetime, bounds: DayBounds, *, limit: int, offset: int
) -> tuple[list[str], int]:
    """One page of intent ids in the list's order, and how many intents there are within `bounds`.

    Without bounds the count is a COUNT(DISTINCT) (cheaper than counting the groups the page sorts).
    """
    if bounds == DayBounds():
        page = await session.execute(ordered(session, merchant_id, now, bounds).limit(limit).offset(offset))
        return [r[0] for r in page], await count_ids(session, merchant_id, now, bounds)
    rows = (
        await session.execute(
            ordered(session, merchant_id, now, bounds, func.count().over()).limit(limit).offset(offset)
        )
    ).all()
    if rows:
        return [r[0] for r in rows], int(rows[0][2])
    return [], await count_ids(session, merchant_id, now, bounds)


async def count_ids(session: AsyncSession, merchant_id: str, now: datetime, bounds: DayBounds) -> int:
    """How many intents with live parcels there are within `bounds`."""
    if bounds == DayBounds():
        return await intent_count(session, merchant_id)
    grouped = ordered(session, merchant_id, now, bounds).order_by(None).subquery()
    return int(await session.scalar(select(func.count()).select_from(grouped)) or 0)


async def stream_ids(
    session: AsyncSession, merchant_id: str, now: datetime, bounds: DayBounds, chunk: int = 1000
) -> AsyncIterator[list[tuple[str, date | None]]]:
    """Every intent within `bounds` in the list's order, `chunk` at a time (one query, read as it goes)."""
    result = await session.stream(ordered(session, merchant_id, now, bounds))
    try:
        async for part in result.partitions(chunk):
            yield [(r[0], r[1]) for r in part]
    finally:
        await result.close()
