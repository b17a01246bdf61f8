"""The outbox SQL: claim due targets under a lease, then ack, reschedule, park, kill or release them.

A target is *due* when it is pending, its `next_attempt_at` has come, nobody holds a live lease
on it, its connection is enabled and not paused, and its merchant is not deactivated. A claim takes
the oldest due target and every other due target of the same connection, up to the provider's batch
size, and leases them to one owner until `lease_expires_at`; a crashed worker's lease simply runs out.

PostgreSQL: the head is picked with `FOR UPDATE SKIP LOCKED`, then the group is leased by one
`WITH claimable AS (SELECT ... FOR UPDATE SKIP LOCKED) UPDATE ... RETURNING`, so concurrent workers
never take the same row. SQLite has one writer at a time: a peek finds the head, then one
`UPDATE ... WHERE id IN (SELECT ...) RETURNING` guarded by the lease columns takes the group; claims
are serialised inside a process by an asyncio.Lock, and the guard keeps several processes safe.

Every write after the call is guarded by `lease_owner = owner`: a worker whose lease was lost
changes nothing, and the target's new holder sends the current state again.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    Table,
    and_,
    bindparam,
    case,
    exists,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.connectors.calls import ClaimedTarget
from parcelsync.connectors.registry import all_connectors
from parcelsync.db.results import rows_affected
from parcelsync.db.tables import ConnectionRow, MerchantRow, SyncTargetRow
from parcelsync.domain.provider import Provider
from parcelsync.domain.status import PROBLEM_STATES, TargetState
from parcelsync.sync.claim_stats import ClaimStats

T = SyncTargetRow

BATCH_SIZES: Mapping[Provider, int] = {c.provider: c.batch_size for c in all_connectors()}
"""Targets per claim, each connector's `batch_size` (its `pacing` says how the calls are spaced)."""

STATES = tuple(s.value for s in TargetState)


@dataclass(frozen=True, slots=True)
class Claim:
    """Due targets of one connection, leased to `owner` until `lease_expires_at`."""

    owner: str
    merchant_id: str
    provider: Provider
    targets: tuple[ClaimedTarget, ...]
    lease_expires_at: datetime


TT = cast(Table, T.__table__)
TC = TT.c
CC = cast(Table, ConnectionRow.__table__).c
MC = cast(Table, MerchantRow.__table__).c
PENDING = TargetState.PENDING.value
LEASED = (TC.id, TC.merchant_id, TC.provider, TC.target_key, TC.desired_version, TC.acked_version, TC.attempts,
          TC.updated_at, TC.last_outcome)
"""The columns a claim returns (what `ClaimedTarget` holds)."""

When = datetime | BindParameter[datetime]


def _connection_usable(now: When) -> ColumnElement[bool]:
    return exists().where(
        CC.merchant_id == TC.merchant_id,
        CC.provider == TC.provider,
        CC.enabled.is_(True),
        or_(CC.paused_until.is_(None), CC.paused_until <= now),
    )


def _merchant_active() -> ColumnElement[bool]:
    """A deactivated merchant's targets stay pending (nothing is lost) and are sent once it is reactivated."""
    return ~exists().where(MC.id == TC.merchant_id, MC.deactivated_at.is_not(None))


def _lease_free(now: When) -> ColumnElement[bool]:
    return or_(TC.lease_expires_at.is_(None), TC.lease_expires_at <= now)


def due_condition(now: When) -> ColumnElement[bool]:
    """The named condition "this target may be claimed now"."""
    pending = TC.state == PENDING
    return and_(pending, TC.next_attempt_at <= now, _lease_free(now), _connection_usable(now), _merchant_active())


# The claim's statements are built once per shape and executed with these parameters: `now`, `until`,
# `owner`, `scope` (a merchant, when the claim is scoped), `head_m`/`head_p` (the head's connection),
# `size` (its batch size) and `skip_m{i}`/`skip_p{i}` (connections whose advisory lock was taken).
NOW: BindParameter[datetime] = bindparam("now", type_=TC.next_attempt_at.type)


def _scope(scoped: bool, skipped: int = 0) -> list[ColumnElement[bool]]:
    where = [due_condition(NOW)]
    if scoped:
        where.append(TC.merchant_id == bindparam("scope"))
    where += [
        or_(TC.merchant_id != bindparam(f"skip_m{i}"), TC.provider != bindparam(f"skip_p{i}")) for i in range(skipped)
    ]
    return where


@functools.cache
def _head_statement(scoped: bool, skipped: int = 0) -> Any:
    """The connection of the oldest due target (skipping `skipped` connections)."""
    where = _scope(scoped, skipped)
    return select(TC.merchant_id, TC.provider).where(*where).order_by(TC.next_attempt_at, TC.id).limit(1)


def _group(scoped: bool) -> Any:
    return (
        select(TC.id)
        .where(*_scope(scoped), TC.merchant_id == bindparam("head_m"), TC.provider == bindparam("head_p"))
        .order_by(TC.next_attempt_at, TC.id)
        .limit(bindparam("size", type_=Integer))
    )


def _lease_update(ids_query: Any) -> Any:
    return (
        update(TT)
        .where(TC.id.in_(ids_query), _lease_free(NOW), TC.state == PENDING)
        .values(lease_owner=bindparam("owner"), lease_expires_at=bindparam("until", type_=TC.lease_expires_at.type),
                updated_at=TC.updated_at)
        .returning(*LEASED)
    )


@functools.cache
def _lease_statement(scoped: bool, postgresql: bool) -> Any:
    """Lease the head connection's due targets, oldest first, up to `size`."""
    if not postgresql:
        return _lease_update(_group(scoped))
    # A CTE with FOR UPDATE is evaluated once; a plain IN (subquery ... LIMIT) may be re-run per row.
    group = _group(scoped).with_for_update(skip_locked=True, of=TT).cte("claimable")
    return _lease_update(select(group.c.id))


MAX_HEAD_TRIES = 16
"""Connections a PostgreSQL claim may pass over (their lock taken, or their group leased meanwhile)."""


def _skip(skip: dict[str, Any], head: Any) -> None:
    """Exclude the head's connection from the next head query (`skip_m{i}` / `skip_p{i}`)."""
    i = len(skip) // 2
    skip.update({f"skip_m{i}": head.merchant_id, f"skip_p{i}": head.provider})


def connection_lock_key(merchant_id: str, provider: str) -> int:
    """A stable signed 64-bit key for PostgreSQL's advisory locks, one per provider connection."""
    digest = hashlib.blake2b(f"parcelsync-claim:{merchant_id}/{provider}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class Outbox:
    """Claims for one worker process: owns the lease identity and the SQLite claim lock."""

    def __init__(
        self,
        *,
        owner: str,
        lease_seconds: float,
        batch_sizes: Mapping[Provider, int] = BATCH_SIZES,
    ) -> None:
        self.owner = owner
        self.lease = timedelta(seconds=lease_seconds)
        self.batch_sizes = dict(batch_sizes)
        self.stats = ClaimStats()
        self._lock = asyncio.Lock()

    def _size(self, provider: str) -> int:
        return self.batch_sizes[Provider(provider)]

    async def claim(self, session: AsyncSession, now: datetime, *, merchant_id: str | None = None) -> Claim | None:
        """Lease the oldest due target and its connection's other due targets (one transaction)."""
        until = now + self.lease
        params: dict[str, Any] = {"now": now, "until": until, "owner": self.owner}
        if merchant_id is not None:
            params["scope"] = merchant_id
        dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
        if dialect == "postgresql":
            rows = await self._claim_postgresql(session, params, merchant_id is not None)
        else:
            async with self._lock:
                rows = await self._claim_sqlite(session, params)
        if not rows:
            self.stats.count("empty")
            return None
        self.stats.count("claimed")
        targets = sorted(
            (
                ClaimedTarget(
                    r.id, r.target_key, r.desired_version, r.acked_version, r.attempts, r.updated_at, r.last_outcome
                )
                for r in rows
            ),
            key=lambda t: t.id,
        )
        return Claim(self.owner, rows[0].merchant_id, Provider(rows[0].provider), tuple(targets), until)

    async def _claim_postgresql(self, session: AsyncSession, params: dict[str, Any], scoped: bool) -> Sequence[Any]:
        """Lock a head connection and lease its group; when the group was taken meanwhile (another claimer
        committed its lease between our head query and our lock), move on to the next connection at once
        rather than coming back empty (which would send the task to sleep for a poll interval)."""
        skip: dict[str, Any] = {}
        statement = _lease_statement(scoped, True)
        while len(skip) // 2 < MAX_HEAD_TRIES:
            head = await self._lock_head_connection(session, params, skip)
            if head is None:
                return []
            params.update(head_m=head.merchant_id, head_p=head.provider, size=self._size(head.provider))
            rows = (await session.execute(statement, params)).all()
            if rows:
                return rows
            self.stats.count("raced")
            _skip(skip, head)
        return []

    async def _lock_head_connection(self, session: AsyncSession, params: dict[str, Any], skip: dict[str, Any]) -> Any:
        """PostgreSQL: the connection of the oldest due target not in `skip`, locked for this transaction.

        A transaction-scoped advisory lock per (merchant, provider) means no two claimers build a
        batch of the same connection at once, so its due targets are never split into smaller calls;
        a claimer that finds the lock taken adds it to `skip` and moves on to the next connection.
        """
        scoped = "scope" in params
        while len(skip) // 2 < MAX_HEAD_TRIES:
            head = (await session.execute(_head_statement(scoped, len(skip) // 2), {**params, **skip})).first()
            if head is None:
                return None
            self.stats.count("head")
            key = connection_lock_key(head.merchant_id, head.provider)
            if await session.scalar(select(func.pg_try_advisory_xact_lock(key))):
                return head
            self.stats.count("head_locked")
            _skip(skip, head)
        return None

    async def _claim_sqlite(self, session: AsyncSession, params: dict[str, Any]) -> Sequence[Any]:
        # The peek runs outside the write transaction (pysqlite begins at the first write), so the
        # group may be gone by the time the guarded UPDATE runs: then peek again.
        scoped = "scope" in params
        for _ in range(5):
            head = (await session.execute(_head_statement(scoped), params)).first()
            if head is None:
                return []
            self.stats.count("head")
            lease = {**params, "head_m": head.merchant_id, "head_p": head.provider, "size": self._size(head.provider)}
            rows = (await session.execute(_lease_statement(scoped, False), lease)).all()
            if rows:
                return rows
            self.stats.count("raced")
        return []


async def _finish(session: AsyncSession, target_id: int, owner: str, now: datetime, **values: Any) -> bool:
    """End this owner's lease on a target with the given changes; False when the lease was lost meanwhile."""
    result = await session.execute(
        update(T)
        .where(T.id == target_id, T.lease_owner == owner)
        .values(last_attempt_at=now, lease_owner=None, lease_expires_at=None, **values)
        .execution_options(synchronize_session=False)
    )
    return bool(rows_affected(result))


async def ack(
    session: AsyncSession, target_id: int, *, owner: str, sent_version: int, now: datetime, outcome: dict[str, Any]
) -> bool:
    """The provider holds `sent_version`: synced, unless an edit landed meanwhile (then pending again)."""
    return await _finish(
        session, target_id, owner, now,
        acked_version=sent_version,
        state=case((T.desired_version <= sent_version, TargetState.SYNCED.value), else_=TargetState.PENDING.value),
        reason=None, attempts=0, next_attempt_at=now, synced_at=now, updated_at=now, last_outcome=outcome,
    )


@dataclass(frozen=True, slots=True)
class Ack:
    """One target the provider now holds at `sent_version`, and what to show as its last outcome."""

    target_id: int
    sent_version: int
    outcome: dict[str, Any]


@functools.cache
def _ack_statement() -> Any:
    """`ack` as one statement for an executemany: bound `target_id`, `sent_version`, `outcome`, `owner`, `now`."""
    version: BindParameter[int] = bindparam("sent_version")
    now: BindParameter[datetime] = bindparam("now", type_=TC.next_attempt_at.type)
    return (
        update(TT)
        .where(TC.id == bindparam("target_id"), TC.lease_owner == bindparam("owner"))
        .values(
            acked_version=version,
            state=case((TC.desired_version <= version, TargetState.SYNCED.value), else_=PENDING),
            reason=None, attempts=0, next_attempt_at=now, synced_at=now, updated_at=now, last_attempt_at=now,
            last_outcome=bindparam("outcome", type_=TC.last_outcome.type),
            lease_owner=None, lease_expires_at=None,
        )
    )


async def ack_many(session: AsyncSession, acks: Sequence[Ack], *, owner: str, now: datetime) -> None:
    """`ack` for many targets in one executemany (a batch of 40 is one statement, not 40)."""
    if not acks:
        return
    connection = await session.connection()
    await connection.execute(
        _ack_statement(),
        [
            {"target_id": a.target_id, "sent_version": a.sent_version, "outcome": a.outcome, "owner": owner, "now": now}
            for a in acks
        ],
    )


async def reschedule(
    session: AsyncSession,
    target_id: int,
    *,
    owner: str,
    when: datetime,
    reason: str,
    counts: bool,
    now: datetime,
    outcome: dict[str, Any],
) -> bool:
    """Try again at `when`; `counts` says whether this failure uses up one of the target's attempts."""
    return await _finish(
        session, target_id, owner, now,
        attempts=T.attempts + (1 if counts else 0),
        next_attempt_at=when, updated_at=T.updated_at, reason=reason, last_outcome=outcome,
    )


async def give_up(
    session: AsyncSession,
    target_id: int,
    *,
    owner: str,
    state: str,
    sent_version: int,
    reason: str,
    now: datetime,
    outcome: dict[str, Any],
) -> bool:
    """Park or kill the target, unless its data changed during the call: then the new data gets a try."""
    if state not in PROBLEM_STATES:
        raise ValueError(f"cannot give up into state {state!r}")
    changed = T.desired_version > sent_version
    return await _finish(
        session, target_id, owner, now,
        state=case((changed, TargetState.PENDING.value), else_=state),
        attempts=case((changed, 0), else_=T.attempts + 1),
        next_attempt_at=now, updated_at=now, reason=reason, last_outcome=outcome,
    )


async def _set_leases(session: AsyncSession, target_ids: Iterable[int], owner: str, **values: Any) -> int:
    """Change the lease columns of the given targets that `owner` still holds; returns how many."""
    ids = list(target_ids)
    if not ids:
        return 0
    result = await session.execute(
        update(T)
        .where(T.id.in_(ids), T.lease_owner == owner)
        .values(updated_at=T.updated_at, **values)
        .execution_options(synchronize_session=False)
    )
    return int(rows_affected(result) or 0)


async def extend(session: AsyncSession, target_ids: Iterable[int], *, owner: str, until: datetime) -> int:
    """Renew this owner's leases (a heartbeat while a slow call is in flight); lost leases stay lost."""
    return await _set_leases(session, target_ids, owner, lease_expires_at=until)


async def release(session: AsyncSession, target_ids: Iterable[int], *, owner: str) -> int:
    """Hand leased targets back untouched (graceful shutdown): they are due again at once."""
    return await _set_leases(session, target_ids, owner, lease_owner=None, lease_expires_at=None)


async def pause_connection(
    session: AsyncSession, merchant_id: str, provider: Provider, *, until: datetime, reason: str
) -> None:
    """Stop claiming a connection's targets until `until` (never shortens an existing pause)."""
    await session.execute(
        update(ConnectionRow)
        .where(ConnectionRow.merchant_id == merchant_id, ConnectionRow.provider == provider.value)
        .values(
            paused_until=case(
                (and_(ConnectionRow.paused_until.is_not(None), ConnectionRow.paused_until > until),
                 ConnectionRow.paused_until),
                else_=until,
            ),
            pause_reason=reason,
        )
        .execution_options(synchronize_session=False)
    )


@functools.cache
def _clear_pause_statement() -> Any:
    now: BindParameter[datetime] = bindparam("now", type_=CC.paused_until.type)
    return (
        update(cast(Table, ConnectionRow.__table__))
        .where(
            CC.merchant_id == bindparam("merchant"),
            CC.provider == bindparam("provider_"),
            CC.pause_reason.is_not(None),
            or_(CC.paused_until.is_(None), CC.paused_until <= now),
        )
        .values(paused_until=None, pause_reason=None)
    )


async def clear_pause(session: AsyncSession, merchant_id: str, provider: Provider, *, now: datetime) -> None:
    """A call went through: forget a pause that has run out."""
    await session.execute(_clear_pause_statement(), {"merchant": merchant_id, "provider_": provider.value, "now": now})


async def replay(
    session: AsyncSession,
    *,
    now: datetime,
    ids: Sequence[int] | None = None,
    merchant_id: str | None = None,
    provider: Provider | None = None,
    states: Sequence[str] = PROBLEM_STATES,
) -> list[int]:
    """Put parked/dead targets back in the queue (attempts reset). Returns the ids replayed."""
    conditions: list[ColumnElement[bool]] = [T.state.in_(list(states))]
    if ids is not None:
        conditions.append(T.id.in_(list(ids)))
    if merchant_id is not None:
        conditions.append(T.merchant_id == merchant_id)
    if provider is not None:
        conditions.append(T.provider == provider.value)
    result = await session.execute(
        update(T)
        .where(*conditions)
        .values(
            state=TargetState.PENDING.value,
            attempts=0,
            next_attempt_at=now,
            pending_since=now,
            reason=None,
            lease_owner=None,
            lease_expires_at=None,
        )
        .returning(T.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(r.id for r in result)
