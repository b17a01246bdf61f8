"""Planning: a shipment write bumps the desired version of every target it touches, in the same transaction.

The one entry is `plan_change`: the caller passes the target keys of the shipments before and
after its change (`target_keys`), so a parcel moved from one order to another bumps both, before
committing. Targets are only planned for providers the merchant has an enabled connection to;
creating a connection plans every existing shipment for it (`plan_connection`), a new carrier
name re-plans that carrier's shipments (`plan_carrier`). This module owns the chunk sizes.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import cast

from sqlalchemy import ARRAY, ColumnElement, Executable, String, Table, bindparam, case, func, literal, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.db.base import UTCDateTime, utcnow
from parcelsync.db.tables import ConnectionRow, ShipmentRow, SyncTargetRow
from parcelsync.domain.provider import Provider
from parcelsync.domain.status import TargetState
from parcelsync.sync.gateways import default_gateway
from parcelsync.sync.keys import TargetKey, target_keys

SCAN_CHUNK = 2000
"""Shipments read per page when a whole connection or carrier is planned."""


async def connected_providers(session: AsyncSession, merchant_id: str) -> set[Provider]:
    rows = await session.scalars(
        select(ConnectionRow.provider).where(ConnectionRow.merchant_id == merchant_id, ConnectionRow.enabled)
    )
    return {Provider(p) for p in rows}


def _dialect(session: AsyncSession) -> str:
    return session.bind.dialect.name if session.bind is not None else "sqlite"


def _bump_on_conflict(insert: postgresql.Insert | sqlite.Insert, table: Table) -> Executable:
    """An existing target is bumped: desired_version + 1, pending and due again, attempts reset."""
    return insert.on_conflict_do_update(
        index_elements=["merchant_id", "provider", "target_key"],
        set_={
            "desired_version": table.c.desired_version + 1,
            "state": literal(TargetState.PENDING.value),
            "reason": None,
            "attempts": 0,
            "next_attempt_at": insert.excluded.next_attempt_at,
            # Still queued: keep its original time; re-entering the queue: now.
            "pending_since": case(
                (
                    table.c.state == TargetState.PENDING.value,
                    func.coalesce(table.c.pending_since, insert.excluded.pending_since),
                ),
                else_=insert.excluded.pending_since,
            ),
            "updated_at": insert.excluded.updated_at,
        },
    )


_TARGETS = cast(Table, SyncTargetRow.__table__)  # Core, not the ORM's bulk insert: rows are plain values
_NEW_COLUMNS = (
    "merchant_id", "provider", "target_key", "desired_version", "acked_version", "state", "attempts",
    "next_attempt_at", "pending_since", "created_at", "updated_at",
)


@cache
def _upsert_statement(dialect: str) -> Executable:
    """The one target upsert per dialect, built once and run as executemany with bound parameters.

    A multi-row VALUES with thousands of bound values was compiled anew on every call (two thirds
    of a batch ingest); this statement is compiled once and reused from SQLAlchemy's cache.
    """
    return _bump_on_conflict((postgresql.insert if dialect == "postgresql" else sqlite.insert)(_TARGETS), _TARGETS)


@cache
def _unnest_upsert() -> Executable:
    """PostgreSQL: the same upsert as one statement over two arrays (providers, keys), `now` bound once.

    asyncpg runs an executemany as one statement per row (about 25 µs of server time each); one
    INSERT ... SELECT FROM unnest writes the same rows in one statement. The keys are distinct
    (a set), so no row is touched twice.
    """
    pairs = func.unnest(
        bindparam("providers", type_=ARRAY(String())), bindparam("keys", type_=ARRAY(String()))
    ).table_valued("provider", "target_key").render_derived("pairs")
    now = bindparam("now", type_=UTCDateTime())
    rows = select(
        bindparam("merchant_id", type_=String()), pairs.c.provider, pairs.c.target_key, literal(1), literal(0),
        literal(TargetState.PENDING.value), literal(0), now, now, now, now,
    )
    return _bump_on_conflict(postgresql.insert(_TARGETS).from_select(list(_NEW_COLUMNS), rows), _TARGETS)


def _order(key: TargetKey) -> tuple[str, str]:
    return key.provider.value, key.key


async def bump_targets(
    session: AsyncSession,
    merchant_id: str,
    keys: Iterable[TargetKey],
    *,
    providers: set[Provider] | None = None,
) -> int:
    """Create or bump each target (desired_version + 1, due now, attempts reset). Returns how many."""
    if providers is None:
        providers = await connected_providers(session, merchant_id)
    # In key order (concurrent writers lock the same rows in the same order); sorted on plain tuples,
    # which compare in C, rather than through TargetKey's generated __lt__.
    wanted = sorted({k for k in keys if k.provider in providers}, key=_order)
    await _upsert(session, merchant_id, wanted)
    return len(wanted)


async def plan_change(
    session: AsyncSession,
    merchant_id: str,
    before: Iterable[TargetKey],
    after: Iterable[TargetKey],
    *,
    providers: set[Provider] | None = None,
) -> int:
    """Plan one change: every target the shipments fed before it or feed after it. Returns how many."""
    return await bump_targets(session, merchant_id, {*before, *after}, providers=providers)


async def _upsert(session: AsyncSession, merchant_id: str, wanted: list[TargetKey]) -> None:
    if not wanted:
        return
    now = utcnow()
    dialect = _dialect(session)
    if dialect == "postgresql":
        params = {"merchant_id": merchant_id, "providers": [k.provider.value for k in wanted],
                  "keys": [k.key for k in wanted], "now": now}
        await session.execute(_unnest_upsert(), params)
        return
    rows = [
        {
            "merchant_id": merchant_id,
            "provider": k.provider.value,
            "target_key": k.key,
            "desired_version": 1,
            "acked_version": 0,
            "state": TargetState.PENDING.value,
            "attempts": 0,
            "next_attempt_at": now,
            "pending_since": now,
            "created_at": now,
            "updated_at": now,
        }
        for k in wanted
    ]
    await session.execute(_upsert_statement(dialect), rows)


async def plan_shipments(session: AsyncSession, merchant_id: str, shipments: Iterable[ShipmentRow]) -> int:
    """Bump every target of the given shipments (as they are now)."""
    keys: set[TargetKey] = set()
    gateway = await default_gateway(session, merchant_id)
    for shipment in shipments:
        keys |= target_keys(shipment, gateway=gateway)
    return await bump_targets(session, merchant_id, keys)


async def plan_connection(
    session: AsyncSession, merchant_id: str, provider: Provider, *, chunk: int = SCAN_CHUNK
) -> int:
    """Plan every live shipment of a merchant for one (new or re-enabled) provider connection."""
    return await _plan_live(session, merchant_id, provider, None, chunk)


async def plan_carrier(session: AsyncSession, merchant_id: str, provider: Provider, carrier: str) -> int:
    """A new name for a carrier changes what the provider is sent: bump that provider's targets of its shipments."""
    return await _plan_live(session, merchant_id, provider, carrier, SCAN_CHUNK)


async def plan_unnamed_payments(session: AsyncSession, merchant_id: str, provider: Provider) -> int:
    """The default payment gateway changed to `provider`: plan its targets of the payments that name none."""
    unnamed = or_(ShipmentRow.payment_gateway.is_(None), ShipmentRow.payment_gateway == "")
    return await _plan_live(session, merchant_id, provider, None, SCAN_CHUNK, unnamed)


async def _plan_live(
    session: AsyncSession,
    merchant_id: str,
    provider: Provider,
    carrier: str | None,
    chunk: int,
    *where: ColumnElement[bool],
) -> int:
    total = 0
    last_id = 0
    gateway = await default_gateway(session, merchant_id)
    while True:
        stmt = select(ShipmentRow).where(
            ShipmentRow.merchant_id == merchant_id, ShipmentRow.deleted_at.is_(None), ShipmentRow.id > last_id
        )
        if carrier is not None:
            stmt = stmt.where(ShipmentRow.carrier == carrier)
        stmt = stmt.where(*where)
        rows = (await session.scalars(stmt.order_by(ShipmentRow.id).limit(chunk))).all()
        if not rows:
            return total
        last_id = rows[-1].id
        keys = {k for row in rows for k in target_keys(row, gateway=gateway) if k.provider is provider}
        total += await bump_targets(session, merchant_id, keys, providers={provider})


async def pending_count(session: AsyncSession, merchant_id: str) -> int:
    return (
        await session.scalar(
            select(func.count())
            .select_from(SyncTargetRow)
            .where(SyncTargetRow.merchant_id == merchant_id, SyncTargetRow.state == TargetState.PENDING.value)
        )
        or 0
    )
