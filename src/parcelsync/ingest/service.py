"""The shipment upsert service: validate, normalise, write, and plan sync targets in the caller's transaction.

Every write of a shipment (create, change, soft delete) bumps the outbox targets it touches,
before and after the change, through `sync.planner.plan_change`, in the same transaction; a
status change also records a status_events row. The caller commits (unit of work).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace
from typing import Any, Literal, cast

from pydantic import ValidationError
from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.connectors.carriers import default_registry
from parcelsync.db.base import utcnow
from parcelsync.db.queries.shipments import find_by_numbers, get_shipment
from parcelsync.db.tables import ShipmentRow, StatusEventRow
from parcelsync.domain.carriers import CarrierRegistry
from parcelsync.domain.provider import Provider
from parcelsync.domain.status import DeliveryStatus
from parcelsync.events import NewEvent
from parcelsync.events import shipments as shipment_events
from parcelsync.events.record import write_events
from parcelsync.ingest.errors import FieldError, InvalidInput, pydantic_field_errors
from parcelsync.ingest.schema import HASHED_FIELDS, NormalizedShipment, ShipmentIn, ShipmentPatch, normalize
from parcelsync.metrics import record_ingest
from parcelsync.sync.gateways import connected_and_default
from parcelsync.sync.keys import TargetKey, target_keys
from parcelsync.sync.planner import plan_change

ItemStatus = Literal["created", "updated", "unchanged", "rejected"]
_SHIPMENTS = cast(Table, ShipmentRow.__table__)
_STATUS_EVENTS = cast(Table, StatusEventRow.__table__)


@dataclass(frozen=True, slots=True)
class ItemResult:
    """What happened to one input item (by its position in the input)."""

    index: int
    status: ItemStatus
    id: int | None = None
    errors: tuple[FieldError, ...] = ()


class ShipmentConflict(ValueError):
    """Another shipment of this merchant already has that carrier and tracking number."""

    field = "tracking_number"


def parse_item(raw: ShipmentIn | Mapping[str, Any], registry: CarrierRegistry) -> NormalizedShipment:
    """Validate and normalise one item; InvalidInput names every offending field."""
    try:
        item = raw if isinstance(raw, ShipmentIn) else ShipmentIn.model_validate(raw)
    except ValidationError as exc:
        raise InvalidInput(pydantic_field_errors(exc.errors(), whole="item")) from None
    return normalize(item, registry)


def _row_columns(row: ShipmentRow) -> dict[str, Any]:
    return {f: getattr(row, f) for f in HASHED_FIELDS}


def _is_unchanged(row: ShipmentRow, item: NormalizedShipment) -> bool:
    same_status = item.status is None or item.status == row.status
    return row.deleted_at is None and row.content_hash == item.content_hash and same_status


def _new_values(merchant_id: str, item: NormalizedShipment, now: datetime) -> dict[str, Any]:
    return {
        "merchant_id": merchant_id,
        **item.columns(),
        "status": item.status or DeliveryStatus.PENDING.value,
        "flags": list(item.flags),
        "content_hash": item.content_hash,
        "version": 1,
        "deleted_at": None,
        "created_at": now,
        "updated_at": now,
    }


def _apply(row: ShipmentRow, item: NormalizedShipment, now: datetime) -> str | None:
    """Write the item's values onto an existing row; returns the previous status if it changed."""
    for name, value in item.columns().items():
        setattr(row, name, value)
    row.flags = list(item.flags)
    row.content_hash = item.content_hash
    row.deleted_at = None
    row.version = (row.version or 1) + 1
    row.updated_at = now
    if item.status is not None and item.status != row.status:
        previous = row.status
        row.status = item.status
        return previous
    return None


class _Plan:
    """Collects target keys and status changes of one batch, then writes them in bulk.

    `providers` are the merchant's connected providers and `gateway` its default payment gateway
    (`_plan_for` reads both).
    """

    def __init__(self, merchant_id: str, source: str, providers: set[Provider], gateway: str | None) -> None:
        self.merchant_id = merchant_id
        self.source = source
        self.providers = providers
        self.gateway = gateway
        self.keys: set[TargetKey] = set()
        self.events: list[tuple[int, str | None, str]] = []
        self.notes: list[NewEvent] = []

    def change(self, row: ShipmentRow, item: NormalizedShipment, now: datetime) -> None:
        """Apply an item to a stored row, noting the targets before and after and any status change."""
        before = target_keys(row, gateway=self.gateway)
        previous = _apply(row, item, now)
        self.keys |= before | target_keys(row, gateway=self.gateway)
        if previous is not None:
            self.events.append((row.id, previous, row.status))
        self.notes += shipment_events.updated(row, previous, now, self.source)

    async def flush(self, session: AsyncSession, now: datetime) -> None:
        await session.flush()
        await write_events(session, self.merchant_id, self.notes, now=now)
        if self.events:
            await session.execute(
                insert(_STATUS_EVENTS),
                [
                    {"shipment_id": sid, "at": now, "from_status": old, "to_status": new, "source": self.source}
                    for sid, old, new in self.events
                ],
            )
        if self.keys:
            await plan_change(session, self.merchant_id, self.keys, (), providers=self.providers)


async def _plan_for(session: AsyncSession, merchant_id: str, source: str) -> _Plan:
    """An empty plan for one write of this merchant's shipments (one query: connections and default gateway)."""
    providers, gateway = await connected_and_default(session, merchant_id)
    return _Plan(merchant_id, source, providers, gateway)


def _same(values: Mapping[str, Any], item: NormalizedShipment) -> bool:
    return values["content_hash"] == item.content_hash and (item.status is None or item.status == values["status"])


async def upsert_shipments(
    session: AsyncSession,
    merchant_id: str,
    items: Sequence[ShipmentIn | Mapping[str, Any]],
    *,
    registry: CarrierRegistry | None = None,
    source: str = "api",
    dry_run: bool = False,
) -> list[ItemResult]:
    """Create or update shipments by (carrier, tracking_number); a bad item is rejected alone.

    One SELECT finds the existing rows and one INSERT adds the new ones; an item equal to what is
    stored is `unchanged` and writes nothing. With `dry_run` nothing is written at all (and new
    shipments have no id).
    """
    registry = registry or default_registry()
    parsed: list[NormalizedShipment | InvalidInput] = []
    for raw in items:
        try:
            parsed.append(parse_item(raw, registry))
        except InvalidInput as exc:
            parsed.append(exc)
    existing = await find_by_numbers(
        session, merchant_id, {(p.carrier, p.tracking_number) for p in parsed if isinstance(p, NormalizedShipment)}
    )
    now = utcnow()
    plan = await _plan_for(session, merchant_id, source)
    new: dict[tuple[str, str], dict[str, Any]] = {}
    outcomes: list[tuple[ItemStatus, tuple[str, str] | None, tuple[FieldError, ...]]] = []
    for item in parsed:
        if isinstance(item, InvalidInput):
            outcomes.append(("rejected", None, item.errors))
            continue
        key = (item.carrier, item.tracking_number)
        row = existing.get(key)
        if key in new:
            status: ItemStatus = "unchanged" if _same(new[key], item) else "created"
            new[key].update(_new_values(merchant_id, item, now) if status == "created" else {})
        elif row is None:
            new[key] = _new_values(merchant_id, item, now)
            status = "created"
        elif _is_unchanged(row, item):
            status = "unchanged"
        else:
            status = "updated"
            if not dry_run:
                plan.change(row, item, now)
        outcomes.append((status, key, ()))
    ids = {key: row.id for key, row in existing.items()}
    if new and not dry_run:
        inserted = await session.execute(
            insert(_SHIPMENTS).returning(_SHIPMENTS.c.id, _SHIPMENTS.c.carrier, _SHIPMENTS.c.tracking_number),
            list(new.values()),
        )
        ids.update({(carrier, number): sid for sid, carrier, number in inserted})
        for key, values in new.items():
            plan.keys |= target_keys(SimpleNamespace(**values), gateway=plan.gateway)
            plan.events.append((ids[key], None, values["status"]))
            plan.notes += shipment_events.created(ids[key], values, now, source)
    if not dry_run:
        await plan.flush(session, now)
        record_ingest(source, (status for status, _, _ in outcomes))
    return [
        ItemResult(index, status, ids.get(key) if key else None, errors)
        for index, (status, key, errors) in enumerate(outcomes)
    ]


async def patch_shipment(
    session: AsyncSession,
    merchant_id: str,
    shipment_id: int,
    patch: ShipmentPatch,
    *,
    registry: CarrierRegistry | None = None,
    source: str = "api",
) -> tuple[ShipmentRow, bool] | None:
    """Change some fields of a live shipment; (row, changed), or None when there is no such shipment."""
    row = await get_shipment(session, merchant_id, shipment_id)
    if row is None:
        return None
    current = {**_row_columns(row), "status": row.status}
    merged = {k: v for k, v in {**current, **patch.changes()}.items() if v is not None}
    item = parse_item(merged, registry or default_registry())
    if _is_unchanged(row, item):
        return row, False
    key = (item.carrier, item.tracking_number)
    if key != (row.carrier, row.tracking_number):
        clash = (await find_by_numbers(session, merchant_id, [key])).get(key)
        if clash is not None and clash.id != row.id:
            raise ShipmentConflict(f"shipment {clash.id} already has this carrier and tracking number")
    now = utcnow()
    plan = await _plan_for(session, merchant_id, source)
    plan.change(row, item, now)
    await plan.flush(session, now)
    return row, True


async def delete_shipment(session: AsyncSession, merchant_id: str, shipment_id: int) -> ShipmentRow | None:
    """Soft-delete a live shipment and bump its targets so the deletion reaches the providers."""
    row = await get_shipment(session, merchant_id, shipment_id)
    if row is None:
        return None
    now = utcnow()
    row.deleted_at = now
    row.version = (row.version or 1) + 1
    row.updated_at = now
    plan = await _plan_for(session, merchant_id, "api")
    plan.keys |= target_keys(row, gateway=plan.gateway)
    plan.notes += shipment_events.deleted(row)
    await plan.flush(session, now)
    return row
