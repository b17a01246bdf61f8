"""Apply a store's fulfillment set to the hub's shipments, in the caller's transaction (the caller commits).

The store reports one fulfillment's full set; `ownership.decide` says whether the hub takes it. When
it does, each parcel is created or updated (fields the store does not know, such as a title, are
kept), the fulfillment's parcels the store no longer lists are soft-deleted (so the gateway gets the
new full set and the tracking provider drops them), and the store's own outbox target is marked
as holding this set: the store is never written back what it just said, so there is no loop.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.db.tables import ShipmentRow, SyncTargetRow
from parcelsync.domain.carriers import CarrierRegistry
from parcelsync.domain.store_fulfillment import StoreFulfillment, StoreParcel
from parcelsync.ingest.schema import HASHED_FIELDS
from parcelsync.ingest.service import delete_shipment, upsert_shipments
from parcelsync.ingest.store.ownership import Decision, Verdict, decide, number_key
from parcelsync.ingest.store.source import StoreSource
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
    shipment_ids: tuple[int, ...] = field(default=())

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "result": self.verdict.value, "created": self.created, "updated": self.updated,
            "removed": self.removed, "rejected": [{"tracking_number": n, "reason": r} for n, r in self.rejected],
            "payment_intent": "pending lookup" if self.needs_payment else "ok",
        }


async def _fulfillment_rows(
    session: AsyncSession, merchant_id: str, order_id: str, fulfillment_id: str
) -> list[ShipmentRow]:
    rows = await session.scalars(
        select(ShipmentRow)
        .where(
            ShipmentRow.merchant_id == merchant_id, ShipmentRow.order_id == order_id,
            ShipmentRow.fulfillment_id == fulfillment_id, ShipmentRow.deleted_at.is_(None),
        )
        .order_by(ShipmentRow.id)
    )
    return list(rows.all())


async def _rows_by_number(session: AsyncSession, merchant_id: str, numbers: set[str]) -> dict[str, ShipmentRow]:
    if not numbers:
        return {}
    rows = await session.scalars(
        select(ShipmentRow).where(
            ShipmentRow.merchant_id == merchant_id, ShipmentRow.tracking_number.in_(sorted(numbers)),
            ShipmentRow.deleted_at.is_(None),
        ).order_by(ShipmentRow.id)
    )
    found: dict[str, ShipmentRow] = {}
    for row in rows.all():
        found.setdefault(number_key(row.tracking_number), row)
    return found


async def _store_target(session: AsyncSession, merchant_id: str, source: StoreSource, key: str) -> SyncTargetRow | None:
    return await session.scalar(
        select(SyncTargetRow).where(
            SyncTargetRow.merchant_id == merchant_id, SyncTargetRow.provider == source.provider.value,
            SyncTargetRow.target_key == key,
        )
    )


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


async def mark_store_holds(session: AsyncSession, merchant_id: str, source: StoreSource, key: str,
                           parcels: tuple[StoreParcel, ...], now: datetime) -> None:
    """The store's target is in sync at its desired version: the store holds this set already."""
    await session.execute(
        update(SyncTargetRow)
        .where(
            SyncTargetRow.merchant_id == merchant_id, SyncTargetRow.provider == source.provider.value,
            SyncTargetRow.target_key == key, SyncTargetRow.lease_owner.is_(None),
        )
        .values(
            acked_version=SyncTargetRow.desired_version, state="synced", reason=None, attempts=0,
            pending_since=None, synced_at=now, updated_at=now,
            last_outcome={"result": "store holds this set", "at": now.isoformat(),
                          "sent": [[p.number, p.company, p.url] for p in parcels]},
        )
        .execution_options(synchronize_session=False)
    )


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
    """Decide, then write (or not) one store fulfillment; see the module docstring."""
    key = source.target_key(fulfillment.order_id, fulfillment.fulfillment_id)
    current = await _fulfillment_rows(session, merchant_id, fulfillment.order_id, fulfillment.fulfillment_id)
    target = await _store_target(session, merchant_id, source, key)
    hub = source.hub_parcels([to_shipment(r) for r in current], registry)
    decision: Decision = decide(
        fulfillment.parcels, hub, last_sent=_last_sent(source, target), in_flight=_in_flight(target, now),
        source_of_truth=source_of_truth,
    )
    payment = fulfillment.payment_reference or next((r.payment_intent_id for r in current if r.payment_intent_id), None)
    if decision.write_back:
        await bump_targets(session, merchant_id, [TargetKey(source.provider, key)], providers={source.provider})
        return Applied(decision.verdict)
    if not decision.take_store_set:
        return Applied(decision.verdict, needs_payment=bool(current) and payment is None)
    numbers = {p.number for p in fulfillment.parcels} | {number_key(p.number) for p in fulfillment.parcels}
    existing = await _rows_by_number(session, merchant_id, numbers)
    items = [
        _item(p, fulfillment, existing.get(number_key(p.number)), payment, source, registry)
        for p in fulfillment.parcels
    ]
    results = await upsert_shipments(session, merchant_id, items, registry=registry, source=source.provider.value)
    rejected = tuple(
        (items[r.index]["tracking_number"], "; ".join(f"{e.field}: {e.reason}" for e in r.errors))
        for r in results if r.status == "rejected"
    )
    kept_ids = {r.id for r in results if r.id is not None}
    unsure = {number_key(n) for n, _ in rejected}
    removed = 0
    for row in current:
        if row.id in kept_ids or number_key(row.tracking_number) in unsure:
            continue
        if await delete_shipment(session, merchant_id, row.id) is not None:
            removed += 1
    await session.flush()
    if not rejected:
        await mark_store_holds(session, merchant_id, source, key, fulfillment.parcels, now)
    return Applied(
        decision.verdict,
        created=sum(r.status == "created" for r in results),
        updated=sum(r.status == "updated" for r in results),
        removed=removed, rejected=rejected, needs_payment=payment is None,
        shipment_ids=tuple(sorted(kept_ids)),
    )


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
