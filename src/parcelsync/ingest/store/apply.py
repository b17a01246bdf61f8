"""Apply a store's fulfillment set to the hub's shipments, in the caller's transaction (the caller commits).

The store reports one fulfillment's full set; `ownership.decide` says whether the hub takes it. When
it does, each parcel is created or updated (fields the store does not know, such as a title, are
kept), the fulfillment's parcels the store no longer lists are soft-deleted (so the gateway gets the
new full set and the tracking provider drops them), and the store's own outbox target is marked
as holding this set: the store is never written back what it just said, so there is no loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.connectors.inbound import StoreSource
from parcelsync.db.tables import ShipmentRow, SyncTargetRow
from parcelsync.domain.carriers import CarrierRegistry
from parcelsync.domain.store_fulfillment import StoreFulfillment, StoreParcel
from parcelsync.ingest.schema import HASHED_FIELDS
from parcelsync.ingest.service import delete_shipment, upsert_shipments
from parcelsync.ingest.store.ownership import Decision, Verdict, decide, number_key
from parcelsync.sync.keys import TargetKey
from parcelsync.sync.planner import bump_targets
from parcelsync.sync.snapshot import to_shipment


@dataclass(frozen=True, slots=True)
class Applied:
    """What one store fulfillment did to the hub."""

    verdict: Verdict
    created: int = 0
    updated: int = 0
    removed: int = 0
    rejected: tuple[tuple[str, str], ...] = ()
    needs_payment: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "result": self.verdict.value, "created": self.created, "updated": self.updated,
            "removed": self.removed, "rejected": [{"tracking_number": n, "reason": r} for n, r in self.rejected],
            "payment_intent": "pending lookup" if self.needs_payment else "ok",
        }


_CHUNK = 500


async def _fulfillment_rows(
    session: AsyncSession, merchant_id: str, pairs: set[tuple[str, str]]
) -> dict[tuple[str, str], list[ShipmentRow]]:
    """The live shipments of each (order, fulfillment), oldest first."""
    found: dict[tuple[str, str], list[ShipmentRow]] = {pair: [] for pair in pairs}
    orders = sorted({o for o, _ in pairs})
    for start in range(0, len(orders), _CHUNK):
        rows = await session.scalars(
            select(ShipmentRow)
            .where(
                ShipmentRow.merchant_id == merchant_id, ShipmentRow.order_id.in_(orders[start : start + _CHUNK]),
                ShipmentRow.deleted_at.is_(None),
            )
            .order_by(ShipmentRow.id)
        )
        for row in rows.all():
            pair = (row.order_id or "", row.fulfillment_id or "")
            if pair in found:
                found[pair].append(row)
    return found


async def _rows_by_number(session: AsyncSession, merchant_id: str, numbers: set[str]) -> dict[str, ShipmentRow]:
    ordered = sorted(numbers)
    found: dict[str, ShipmentRow] = {}
    for start in range(0, len(ordered), _CHUNK):
        rows = await session.scalars(
            select(ShipmentRow).where(
                ShipmentRow.merchant_id == merchant_id,
                ShipmentRow.tracking_number.in_(ordered[start : start + _CHUNK]),
                ShipmentRow.deleted_at.is_(None),
            ).order_by(ShipmentRow.id)
        )
        for row in rows.all():
            found.setdefault(number_key(row.tracking_number), row)
    return found


async def _store_targets(
    session: AsyncSession, merchant_id: str, source: StoreSource, keys: list[str]
) -> dict[str, SyncTargetRow]:
    found: dict[str, SyncTargetRow] = {}
    for start in range(0, len(keys), _CHUNK):
        rows = await session.scalars(
            select(SyncTargetRow).where(
                SyncTargetRow.merchant_id == merchant_id, SyncTargetRow.provider == source.provider.value,
                SyncTargetRow.target_key.in_(keys[start : start + _CHUNK]),
            )
        )
        found.update({row.target_key: row for row in rows.all()})
    return found


def _in_flight(target: SyncTargetRow | None, now: datetime) -> bool:
    return bool(
        target is not None and target.lease_owner and target.lease_expires_at is not None
        and target.lease_expires_at > now
    )


def _last_sent(source: StoreSource, target: SyncTargetRow | None) -> tuple[StoreParcel, ...] | None:
    sent = (target.last_outcome or {}).get("sent") if target is not None else None
    return source.sent_parcels(sent) if isinstance(sent, list) else None


def _item(
    parcel: StoreParcel, fulfillment: StoreFulfillment, existing: ShipmentRow | None, payment: str | None,
    source: StoreSource, registry: CarrierRegistry,
) -> dict[str, Any]:
    """The shipment input for one store parcel: the stored fields, overlaid with what the store says."""
    carrier = source.carrier_for(parcel.company, registry)
    base: dict[str, Any] = {}
    if existing is not None:
        base = {f: getattr(existing, f) for f in HASHED_FIELDS if getattr(existing, f) is not None}
        if carrier is None or registry.canonical(carrier) == existing.carrier:
            carrier = existing.carrier
    base.update(tracking_number=parcel.number, order_id=fulfillment.order_id, fulfillment_id=fulfillment.fulfillment_id)
    if carrier:
        base["carrier"] = carrier
    else:
        base.pop("carrier", None)
    if parcel.url:
        base["tracking_url"] = parcel.url
    if payment:
        base["payment_intent_id"] = payment
    for name in ("customer_email", "customer_name", "destination_country"):
        value = getattr(fulfillment, name)
        if value and not base.get(name):
            base[name] = value
    return base


async def mark_store_holds(
    session: AsyncSession, merchant_id: str, source: StoreSource, held: dict[str, tuple[StoreParcel, ...]],
    now: datetime,
) -> None:
    """Each store target is in sync at its desired version: the store holds that set already (one statement)."""
    if not held:
        return
    table = cast(Table, SyncTargetRow.__table__)
    statement = (
        update(table)
        .where(
            table.c.merchant_id == merchant_id, table.c.provider == source.provider.value,
            table.c.target_key == bindparam("key"), table.c.lease_owner.is_(None),
        )
        .values(
            acked_version=table.c.desired_version, state="synced", reason=None, attempts=0,
            pending_since=None, synced_at=now, updated_at=now,
            last_outcome=bindparam("outcome", type_=table.c.last_outcome.type),
        )
    )
    params = [
        {"key": key, "outcome": {"result": "store holds this set", "at": now.isoformat(),
                                  "sent": [[p.number, p.company, p.url] for p in parcels]}}
        for key, parcels in held.items()
    ]
    await session.execute(statement, params)


async def apply_store_fulfillments(
    session: AsyncSession,
    source: StoreSource,
    merchant_id: str,
    fulfillments: Sequence[StoreFulfillment],
    *,
    registry: CarrierRegistry,
    source_of_truth: str,
    now: datetime,
) -> list[Applied]:
    """Decide, then write (or not) each store fulfillment, in bulk; one result per input, in order."""
    latest = {f.key: f for f in fulfillments}
    current = await _fulfillment_rows(session, merchant_id, set(latest))
    keys = {pair: source.target_key(*pair) for pair in latest}
    targets = await _store_targets(session, merchant_id, source, sorted(keys.values()))
    decisions: dict[tuple[str, str], Decision] = {}
    payments: dict[tuple[str, str], str | None] = {}
    for pair, fulfillment in latest.items():
        rows, target = current[pair], targets.get(keys[pair])
        decisions[pair] = decide(
            fulfillment.parcels, source.hub_parcels([to_shipment(r) for r in rows], registry),
            last_sent=_last_sent(source, target), in_flight=_in_flight(target, now), source_of_truth=source_of_truth,
        )
        payments[pair] = fulfillment.payment_reference or next(
            (r.payment_intent_id for r in rows if r.payment_intent_id), None
        )
    write_back = [TargetKey(source.provider, keys[p]) for p, d in decisions.items() if d.write_back]
    if write_back:
        await bump_targets(session, merchant_id, write_back, providers={source.provider})
    taken = [p for p, d in decisions.items() if d.take_store_set]
    numbers = {n for p in taken for parcel in latest[p].parcels for n in (parcel.number, number_key(parcel.number))}
    existing = await _rows_by_number(session, merchant_id, numbers)
    items: list[dict[str, Any]] = []
    owner: list[tuple[str, str]] = []
    for pair in taken:
        for parcel in latest[pair].parcels:
            items.append(_item(parcel, latest[pair], existing.get(number_key(parcel.number)), payments[pair],
                               source, registry))
            owner.append(pair)
    results = await upsert_shipments(session, merchant_id, items, registry=registry, source=source.provider.value)
    kept_ids = {r.id for r in results if r.id is not None}
    counts: dict[tuple[str, str], dict[str, Any]] = {p: {"created": 0, "updated": 0, "removed": 0, "rejected": []}
                                                     for p in taken}
    for result in results:
        pair = owner[result.index]
        if result.status in ("created", "updated"):
            counts[pair][result.status] += 1
        elif result.status == "rejected":
            reason = "; ".join(f"{e.field}: {e.reason}" for e in result.errors)
            counts[pair]["rejected"].append((items[result.index]["tracking_number"], reason))
    for pair in taken:
        unsure = {number_key(n) for n, _ in counts[pair]["rejected"]}
        for row in current[pair]:
            if row.id in kept_ids or number_key(row.tracking_number) in unsure:
                continue
            if await delete_shipment(session, merchant_id, row.id) is not None:
                counts[pair]["removed"] += 1
    await session.flush()
    await mark_store_holds(
        session, merchant_id, source,
        {keys[p]: latest[p].parcels for p in taken if not counts[p]["rejected"]}, now,
    )
    applied: dict[tuple[str, str], Applied] = {}
    for pair, decision in decisions.items():
        if pair in counts:
            c = counts[pair]
            applied[pair] = Applied(decision.verdict, c["created"], c["updated"], c["removed"], tuple(c["rejected"]),
                                    needs_payment=payments[pair] is None)
        else:
            applied[pair] = Applied(decision.verdict, needs_payment=bool(current[pair]) and payments[pair] is None)
    return [applied[f.key] for f in fulfillments]


async def apply_store_fulfillment(
    session: AsyncSession,
    source: StoreSource,
    merchant_id: str,
    fulfillment: StoreFulfillment,
    *,
    registry: CarrierRegistry,
    source_of_truth: str,
    now: datetime,
) -> Applied:
    """One store fulfillment (a webhook); see `apply_store_fulfillments`."""
    [applied] = await apply_store_fulfillments(
        session, source, merchant_id, [fulfillment], registry=registry, source_of_truth=source_of_truth, now=now
    )
    return applied


async def attach_payment(
    session: AsyncSession, source: StoreSource, merchant_id: str, order_id: str, reference: str,
    *, registry: CarrierRegistry,
) -> int:
    """Give every live shipment of the order that has no payment intent yet the order's one; returns how many."""
    rows = (
        await session.scalars(
            select(ShipmentRow).where(
                ShipmentRow.merchant_id == merchant_id, ShipmentRow.order_id == order_id,
                ShipmentRow.deleted_at.is_(None), ShipmentRow.payment_intent_id.is_(None),
            ).order_by(ShipmentRow.id)
        )
    ).all()
    if not rows:
        return 0
    items = [
        {**{f: getattr(r, f) for f in HASHED_FIELDS if getattr(r, f) is not None}, "payment_intent_id": reference}
        for r in rows
    ]
    results = await upsert_shipments(session, merchant_id, items, registry=registry, source=source.provider.value)
    return sum(r.status == "updated" for r in results)
