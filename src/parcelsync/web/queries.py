"""Read-side aggregates for the dashboard, plus the retry writes; every query is scoped by merchant.

Aggregates are computed in SQL (GROUP BY over indexed columns) and only the aggregated rows come
back to Python; percentiles are taken from a per-(carrier, days) histogram, never from raw rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Integer, and_, cast, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from parcelsync.db.base import utcnow
from parcelsync.db.tables import ConnectionRow, MerchantRow, ShipmentRow, SyncTargetRow
from parcelsync.domain.status import PROBLEM_STATES as DOMAIN_PROBLEM_STATES
from parcelsync.domain.status import DeliveryStatus, TargetState
from parcelsync.sync.outbox import replay

SYNC_STATES = (TargetState.SYNCED, TargetState.PENDING, TargetState.PARKED, TargetState.DEAD, TargetState.SKIPPED)
PROBLEM_STATES = DOMAIN_PROBLEM_STATES
RETRY_CHUNK = 500


@dataclass(frozen=True, slots=True)
class DayCount:
    day: date
    shipped: int
    delivered: int


@dataclass(frozen=True, slots=True)
class CarrierDeliveryTime:
    """Days from ship date to delivery for one carrier: median and 90th percentile over `count` parcels."""

    carrier: str
    count: int
    median_days: float
    p90_days: float


@dataclass(frozen=True, slots=True)
class ProblemGroup:
    """Parked or dead targets of one provider sharing one reason."""

    provider: str
    state: str
    reason: str
    count: int
    oldest: datetime | None
    sample_keys: tuple[str, ...]


async def list_merchants(session: AsyncSession, limit: int = 500) -> list[tuple[str, str]]:
    """(id, name) of the active merchants, in id order, for the merchant selector (a deactivated one's pages stop)."""
    rows = await session.execute(
        select(MerchantRow.id, MerchantRow.name)
        .where(MerchantRow.deactivated_at.is_(None))
        .order_by(MerchantRow.id)
        .limit(limit)
    )
    return [(r.id, r.name) for r in rows]


async def status_counts(session: AsyncSession, merchant_id: str) -> dict[str, int]:
    """Live shipments per delivery status, every status present (zeros included)."""
    rows = await session.execute(
        select(ShipmentRow.status, func.count())
        .where(ShipmentRow.merchant_id == merchant_id, ShipmentRow.deleted_at.is_(None))
        .group_by(ShipmentRow.status)
    )
    counts = {s.value: 0 for s in DeliveryStatus}
    for status, n in rows:
        counts[DeliveryStatus.parse(status).value] += n
    return counts


def _as_utc(value: datetime | str | None) -> datetime | None:
    """MIN() keeps the column type, but be safe with a backend that hands back a string or a naive value."""
    if value is None:
        return None
    parsed = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


async def daily_counts(
    session: AsyncSession, merchant_id: str, days: int = 30, today: date | None = None
) -> list[DayCount]:
    """Parcels shipped (by ship date) and delivered (by delivery day) per day over the last `days` days."""
    today = today or utcnow().date()
    start = today - timedelta(days=days - 1)
    live = and_(ShipmentRow.merchant_id == merchant_id, ShipmentRow.deleted_at.is_(None))
    shipped = await session.execute(
        select(ShipmentRow.ship_date, func.count())
        .where(live, ShipmentRow.ship_date >= start, ShipmentRow.ship_date <= today)
        .group_by(ShipmentRow.ship_date)
    )
    delivered_day = func.date(ShipmentRow.delivered_at)
    start_at = datetime.combine(start, datetime.min.time(), tzinfo=UTC)
    delivered = await session.execute(
        select(delivered_day, func.count()).where(live, ShipmentRow.delivered_at >= start_at).group_by(delivered_day)
    )
    by_day = {start + timedelta(days=i): [0, 0] for i in range(days)}
    for day, n in shipped:
        if day is not None and _day(day) in by_day:
            by_day[_day(day)][0] += n
    for day, n in delivered:
        if day is not None and _day(day) in by_day:
            by_day[_day(day)][1] += n
    return [DayCount(d, s, v) for d, (s, v) in by_day.items()]


def _transit_days(session: AsyncSession) -> ColumnElement[int]:
    """Whole days between ship date and delivery, in the dialect's own date arithmetic."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    if dialect == "postgresql":
        return cast(func.date(ShipmentRow.delivered_at) - ShipmentRow.ship_date, Integer)
    return cast(func.julianday(func.date(ShipmentRow.delivered_at)) - func.julianday(ShipmentRow.ship_date), Integer)


def percentile(histogram: list[tuple[int, int]], fraction: float) -> float:
    """Nearest-rank percentile of a sorted (value, count) histogram."""
    total = sum(n for _, n in histogram)
    if total == 0:
        return 0.0
    rank = max(1, math.ceil(total * fraction))
    seen = 0
    for value, n in histogram:
        seen += n
        if seen >= rank:
            return float(value)
    return float(histogram[-1][0])


async def delivery_times(
    session: AsyncSession, merchant_id: str, days: int = 90, now: datetime | None = None
) -> list[CarrierDeliveryTime]:
    """Median and p90 transit days per carrier for parcels delivered in the last `days` days."""
    now = now or utcnow()
    transit = _transit_days(session).label("transit")
    rows = await session.execute(
        select(ShipmentRow.carrier, transit, func.count())
        .where(
            ShipmentRow.merchant_id == merchant_id,
            ShipmentRow.deleted_at.is_(None),
            ShipmentRow.delivered_at >= now - timedelta(days=days),
            ShipmentRow.ship_date.is_not(None),
        )
        .group_by(ShipmentRow.carrier, transit)
    )
    hist: dict[str, list[tuple[int, int]]] = {}
    for carrier, transit_days, n in rows:
        if transit_days is not None and transit_days >= 0:
            hist.setdefault(carrier, []).append((int(transit_days), n))
    result = []
    for carrier, buckets in hist.items():
        buckets.sort()
        result.append(
            CarrierDeliveryTime(carrier, sum(n for _, n in buckets), percentile(buckets, 0.5), percentile(buckets, 0.9))
        )
    return sorted(result, key=lambda c: (-c.count, c.carrier))


@dataclass(frozen=True, slots=True)
class ParcelStats:
    """The overview's parcel statistics for one merchant, computed together."""

    counts: dict[str, int]
    days: list[DayCount]
    times: list[CarrierDeliveryTime]
    computed_at: datetime


async def parcel_stats(session: AsyncSession, merchant_id: str) -> ParcelStats:
    now = utcnow()
    return ParcelStats(
        counts=await status_counts(session, merchant_id),
        days=await daily_counts(session, merchant_id, today=now.date()),
        times=await delivery_times(session, merchant_id, now=now),
        computed_at=now,
    )


class StatsCache:
    """Per-merchant ParcelStats kept for `ttl_s` seconds, so reloading the overview does not rescan."""

    def __init__(self, ttl_s: float = 60.0, max_merchants: int = 1000) -> None:
        self.ttl_s = ttl_s
        self.max_merchants = max_merchants
        self._items: dict[str, ParcelStats] = {}

    def get(self, merchant_id: str) -> ParcelStats | None:
        stats = self._items.get(merchant_id)
        if stats is None or (utcnow() - stats.computed_at).total_seconds() > self.ttl_s:
            return None
        return stats

    def put(self, merchant_id: str, stats: ParcelStats) -> ParcelStats:
        if len(self._items) >= self.max_merchants:
            self._items.clear()
        self._items[merchant_id] = stats
        return stats


async def problem_groups(session: AsyncSession, merchant_id: str, samples: int = 3) -> list[ProblemGroup]:
    """Parked and dead targets grouped by provider, state and reason, biggest group first."""
    reason = func.coalesce(SyncTargetRow.reason, literal(""))
    rows = await session.execute(
        select(SyncTargetRow.provider, SyncTargetRow.state, reason, func.count(), func.min(SyncTargetRow.updated_at))
        .where(SyncTargetRow.merchant_id == merchant_id, SyncTargetRow.state.in_(PROBLEM_STATES))
        .group_by(SyncTargetRow.provider, SyncTargetRow.state, reason)
        .order_by(func.count().desc())
        .limit(200)
    )
    groups = []
    for provider, state, why, n, oldest in rows.all():
        keys = await session.scalars(
            select(SyncTargetRow.target_key)
            .where(*_group_filter(merchant_id, provider, state, why))
            .order_by(SyncTargetRow.id)
            .limit(samples)
        )
        groups.append(ProblemGroup(provider, state, why, n, _as_utc(oldest), tuple(keys)))
    return groups


def _group_filter(merchant_id: str, provider: str, state: str, reason: str) -> list[ColumnElement[bool]]:
    reason_match = SyncTargetRow.reason.is_(None) if reason == "" else SyncTargetRow.reason == reason
    return [
        SyncTargetRow.merchant_id == merchant_id,
        SyncTargetRow.provider == provider,
        SyncTargetRow.state == state,
        reason_match,
    ]


async def retry_target(session: AsyncSession, merchant_id: str, target_id: int) -> bool:
    """Put one parked or dead target of this merchant back in the queue; False when there is none."""
    return bool(await replay(session, now=utcnow(), ids=[target_id], merchant_id=merchant_id))


async def retry_group(session: AsyncSession, merchant_id: str, provider: str, state: str, reason: str) -> int:
    """Put every target of one problem group back in the queue; returns how many."""
    if state not in PROBLEM_STATES:
        return 0
    ids = list(
        await session.scalars(select(SyncTargetRow.id).where(*_group_filter(merchant_id, provider, state, reason)))
    )
    replayed = 0
    for start in range(0, len(ids), RETRY_CHUNK):
        replayed += len(await replay(session, now=utcnow(), ids=ids[start : start + RETRY_CHUNK], states=(state,)))
    return replayed


async def get_target(session: AsyncSession, merchant_id: str, target_id: int) -> SyncTargetRow | None:
    row = await session.get(SyncTargetRow, target_id)
    return row if row is not None and row.merchant_id == merchant_id else None


async def list_connections(session: AsyncSession, merchant_id: str) -> list[ConnectionRow]:
    rows = await session.scalars(
        select(ConnectionRow).where(ConnectionRow.merchant_id == merchant_id).order_by(ConnectionRow.provider)
    )
    return list(rows)


async def get_connection(session: AsyncSession, merchant_id: str, connection_id: int) -> ConnectionRow | None:
    row = await session.get(ConnectionRow, connection_id)
    return row if row is not None and row.merchant_id == merchant_id else None


async def has_shipments(session: AsyncSession, merchant_id: str) -> bool:
    """Whether the merchant has any shipment at all (deleted ones count: it has been set up)."""
    found = await session.scalar(select(ShipmentRow.id).where(ShipmentRow.merchant_id == merchant_id).limit(1))
    return found is not None


async def carrier_counts(session: AsyncSession, merchant_id: str) -> list[tuple[str, int]]:
    """(carrier, live shipments) of every carrier in the merchant's shipments, most used first."""
    rows = await session.execute(
        select(ShipmentRow.carrier, func.count())
        .where(ShipmentRow.merchant_id == merchant_id, ShipmentRow.deleted_at.is_(None))
        .group_by(ShipmentRow.carrier)
        .order_by(func.count().desc(), ShipmentRow.carrier)
    )
    return [(str(carrier or ""), int(n)) for carrier, n in rows]
