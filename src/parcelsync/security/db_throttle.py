"""Rate limits held in the database, so every API process (and a restart) sees the same counts.

Storage is fixed-window counters, one row per (key, window length, window start), bumped by a
single upsert (`INSERT ... ON CONFLICT DO UPDATE ... RETURNING count`, atomic on SQLite and
PostgreSQL). The decision is a pure function (`decide`) over a `Usage`: it weighs the previous
window by how much of it still overlaps a sliding window ending now, so a burst straddling a
window boundary cannot get twice the limit through.

Typical use (the caller owns the transaction, one `unit_of_work`):

    usage = await consume(session, f"track:addr:{ip}", window_s=60, now=now)
    decision = decide(Limit(30, 60), usage)
    if not decision.allowed: answer 429 with Retry-After: decision.retry_after_header

Check-then-count (count only failures, as the login does): `peek` + `decide(..., cost=1)`
before the attempt, `hit` after a failure.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.db.results import rows_affected
from parcelsync.db.tables import RateCounterRow

MAX_KEY_CHARS = 200
_HASHED_PREFIX_CHARS = 120


@dataclass(frozen=True, slots=True)
class Limit:
    """At most `max_hits` in any sliding window of `window_s` seconds."""

    max_hits: int
    window_s: int

    def __post_init__(self) -> None:
        if self.max_hits < 0 or self.window_s <= 0:
            raise ValueError("a limit needs max_hits >= 0 and window_s > 0")


@dataclass(frozen=True, slots=True)
class Usage:
    """The counts of one key: the current fixed window, the one before, and how far into the current one `now` is."""

    current: int
    previous: int
    window_s: int
    elapsed_s: float

    @property
    def estimate(self) -> float:
        """Hits in the sliding window ending now (the previous window weighted by its overlap)."""
        overlap = max(0.0, 1.0 - self.elapsed_s / self.window_s)
        return self.previous * overlap + self.current


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    estimate: float
    limit: int
    retry_after_s: float | None
    """Seconds until the same request would be allowed (None when allowed, inf when never)."""

    @property
    def remaining(self) -> int:
        return max(0, math.floor(self.limit - self.estimate))

    @property
    def retry_after_header(self) -> str:
        """A `Retry-After` value: whole seconds, at least 1."""
        if self.retry_after_s is None:
            return "0"
        if math.isinf(self.retry_after_s):
            return str(365 * 86400)
        return str(max(1, math.ceil(self.retry_after_s)))


def decide(limit: Limit, usage: Usage, *, cost: int = 0) -> Decision:
    """Allowed when the sliding estimate plus `cost` stays within the limit.

    `cost=0` after `consume` (the hit is already counted); `cost=1` before an attempt that is
    counted only if it fails (`peek` first).
    """
    if usage.window_s != limit.window_s:
        raise ValueError("usage and limit must use the same window")
    if usage.estimate + cost <= limit.max_hits:
        return Decision(True, usage.estimate, limit.max_hits, None)
    return Decision(False, usage.estimate, limit.max_hits, _wait_s(limit, usage, cost))


def _wait_s(limit: Limit, usage: Usage, cost: int) -> float:
    """The shortest wait after which the estimate (with nothing new counted) admits `cost` more."""
    w, e = float(limit.window_s), min(usage.elapsed_s, float(limit.window_s))
    room = limit.max_hits - cost
    if room < 0:
        return math.inf
    # Still inside the current window: the previous window's weight decays linearly.
    in_current = room - usage.current
    if in_current >= 0 and usage.previous > 0:
        t = w * (1.0 - in_current / usage.previous) - e
        if t <= w - e:
            return max(0.0, t)
    # In the next window the current count becomes the decaying "previous" one.
    to_next = w - e
    if usage.current <= room:
        return to_next
    return to_next + w * (1.0 - room / usage.current)


def window_start(now: datetime, window_s: int) -> datetime:
    """The start of the fixed window holding `now` (windows are aligned to the Unix epoch)."""
    seconds = math.floor(_aware(now).timestamp())
    return datetime.fromtimestamp(seconds - seconds % window_s, UTC)


def stored_key(key: str) -> str:
    """The key as stored: long keys keep a readable prefix and a SHA-256 of the whole."""
    if len(key) <= MAX_KEY_CHARS:
        return key
    return f"{key[:_HASHED_PREFIX_CHARS]}#{hashlib.sha256(key.encode()).hexdigest()}"


async def hit(session: AsyncSession, key: str, *, window_s: int, now: datetime, amount: int = 1) -> int:
    """Count `amount` hits for `key` in the window holding `now`; returns the window's new count."""
    start = window_start(now, window_s)
    values = {
        "key": stored_key(key),
        "window_s": window_s,
        "window_start": start,
        "count": amount,
        "expires_at": start + timedelta(seconds=2 * window_s),
    }
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(RateCounterRow).values(**values)
    upsert = stmt.on_conflict_do_update(
        index_elements=["key", "window_s", "window_start"],
        set_={"count": RateCounterRow.count + stmt.excluded.count},
    ).returning(RateCounterRow.count)
    return int((await session.execute(upsert)).scalar_one())


async def peek(session: AsyncSession, key: str, *, window_s: int, now: datetime) -> Usage:
    """The key's usage at `now`, counting nothing."""
    start = window_start(now, window_s)
    previous_start = start - timedelta(seconds=window_s)
    rows = await session.execute(
        select(RateCounterRow.window_start, RateCounterRow.count).where(
            RateCounterRow.key == stored_key(key),
            RateCounterRow.window_s == window_s,
            RateCounterRow.window_start.in_([start, previous_start]),
        )
    )
    counts = {window: count for window, count in rows}
    return Usage(
        current=counts.get(start, 0),
        previous=counts.get(previous_start, 0),
        window_s=window_s,
        elapsed_s=(_aware(now) - start).total_seconds(),
    )


async def consume(session: AsyncSession, key: str, *, window_s: int, now: datetime, amount: int = 1) -> Usage:
    """Count the hit first (a write first, so SQLite never upgrades a read lock), then read the usage."""
    current = await hit(session, key, window_s=window_s, now=now, amount=amount)
    usage = await peek(session, key, window_s=window_s, now=now)
    return Usage(current, usage.previous, window_s, usage.elapsed_s)


async def clear(session: AsyncSession, key: str) -> int:
    """Forget every window of `key` (say, after a successful login); returns rows deleted."""
    result = await session.execute(delete(RateCounterRow).where(RateCounterRow.key == stored_key(key)))
    return rows_affected(result) or 0


async def prune(session: AsyncSession, before: datetime) -> int:
    """Delete counters no decision can need any more (both their windows ended before `before`)."""
    result = await session.execute(delete(RateCounterRow).where(RateCounterRow.expires_at <= before))
    return rows_affected(result) or 0


async def count_rows(session: AsyncSession) -> int:
    """How many counters are stored (for housekeeping reports and tests)."""
    return int((await session.execute(select(func.count()).select_from(RateCounterRow))).scalar_one())


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
