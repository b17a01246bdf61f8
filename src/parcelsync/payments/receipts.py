"""Sync receipts: one compact row per version a provider acknowledged, the proof behind evidence packs.

`record_receipts` is called once from the worker's ack path, inside the transaction that records
the acknowledgements, so a receipt exists exactly when the outbox says "synced at version V".
Receipts have their own retention (PARCELSYNC_RECEIPT_RETENTION_DAYS, two years by default) and
`audit prune` never touches them.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol, cast

from sqlalchemy import Table, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from parcelsync.db.engine import unit_of_work
from parcelsync.db.tables import SyncReceiptRow
from parcelsync.payments.facts import Receipt

DEFAULT_RETENTION_DAYS = 730
CHUNK = 5000


class _Parcel(Protocol):
    tracking_number: str
    carrier: str
    tracking_url: str | None


class _Outcome(Protocol):
    @property
    def results(self) -> Sequence[Any]: ...
    @property
    def calls(self) -> Sequence[Any]: ...


class _Claim(Protocol):
    @property
    def merchant_id(self) -> str: ...
    @property
    def provider(self) -> Any: ...


def _sent(parcel: _Parcel, action: str | None = None) -> dict[str, str | None]:
    sent: dict[str, str | None] = {
        "tracking_number": parcel.tracking_number, "carrier": parcel.carrier, "tracking_url": parcel.tracking_url,
    }
    if action:
        sent["action"] = action
    return sent


def receipt_rows(claim: _Claim, outcome: _Outcome, now: datetime) -> list[dict[str, Any]]:
    """The receipts of a batch's acknowledged targets (pure): numbers, carriers and URLs sent, request id."""
    request_ids: dict[str, str] = {}
    for call in outcome.calls:
        if call.error is None and call.trace_id:
            for key in call.target_keys:
                request_ids.setdefault(key, call.trace_id)
    provider = str(getattr(claim.provider, "value", claim.provider))
    rows: list[dict[str, Any]] = []
    for item in outcome.results:
        if item.error is not None:
            continue
        snap = item.snapshot
        parcels = [_sent(s) for s in snap.shipments]
        if not parcels and snap.deleted is not None:
            parcels = [_sent(snap.deleted, "deleted")]
        request_id = item.detail.get("trace_id") or item.detail.get("request_id") or request_ids.get(snap.key)
        rows.append({
            "merchant_id": claim.merchant_id, "provider": provider, "target_key": snap.key,
            "version": snap.version, "acknowledged_at": now,
            "request_id": str(request_id)[:200] if request_id else None, "parcels": parcels,
        })
    return rows


async def record_receipts(session: AsyncSession, claim: _Claim, outcome: _Outcome, now: datetime) -> int:
    """Write the receipts of a batch in the caller's transaction; a version acknowledged twice keeps its first."""
    rows = receipt_rows(claim, outcome, now)
    if not rows:
        return 0
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    await session.execute(_insert_statement(dialect == "postgresql"), rows)
    return len(rows)


@functools.cache
def _insert_statement(postgresql: bool) -> Any:
    """The receipts' INSERT ... ON CONFLICT DO NOTHING on the table (Core, built once per dialect)."""
    insert = pg_insert if postgresql else sqlite_insert
    table = cast(Table, SyncReceiptRow.__table__)
    return insert(table).on_conflict_do_nothing(index_elements=["merchant_id", "provider", "target_key", "version"])


def to_receipt(row: SyncReceiptRow) -> Receipt:
    return Receipt(
        provider=row.provider, target_key=row.target_key, version=row.version,
        acknowledged_at=row.acknowledged_at, request_id=row.request_id, parcels=tuple(row.parcels or ()),
    )


async def receipts_for(
    session: AsyncSession, merchant_id: str, targets: Sequence[tuple[str, str]]
) -> list[Receipt]:
    """Every stored receipt of the given (provider, target_key) pairs of one merchant, oldest first."""
    if not targets:
        return []
    wanted = set(targets)
    keys = sorted({k for _, k in wanted})
    rows = await session.scalars(
        select(SyncReceiptRow)
        .where(
            SyncReceiptRow.merchant_id == merchant_id,
            SyncReceiptRow.provider.in_(sorted({p for p, _ in wanted})),
            SyncReceiptRow.target_key.in_(keys),
        )
        .order_by(SyncReceiptRow.acknowledged_at, SyncReceiptRow.id)
    )
    return [to_receipt(r) for r in rows.all() if (r.provider, r.target_key) in wanted]


async def prune_receipts(sessions: async_sessionmaker[AsyncSession], *, older_than: datetime) -> int:
    """Delete receipts acknowledged before `older_than` (their own retention), in chunks."""
    total = 0
    while True:
        async with unit_of_work(sessions) as session:
            ids = (
                await session.execute(
                    select(SyncReceiptRow.id).where(SyncReceiptRow.acknowledged_at < older_than).limit(CHUNK)
                )
            ).scalars().all()
            if ids:
                await session.execute(delete(SyncReceiptRow).where(SyncReceiptRow.id.in_(ids)))
        total += len(ids)
        if len(ids) < CHUNK:
            return total
