"""Reading payment intents: a merchant's parcels grouped by payment intent, with each gateway's view of them.

Which connections are payment gateways is asked of the provider's kind, never of its name; a
gateway's outbox target for an intent is the key `sync.keys.target_keys` gives a parcel of it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.connectors.keys import KeyShape
from parcelsync.connectors.record import Kind
from parcelsync.connectors.registry import connector_for
from parcelsync.db.tables import (
    CheckpointRow,
    ConnectionRow,
    GatewayCheckRow,
    ShipmentRow,
    StatusEventRow,
    SyncReceiptRow,
    SyncTargetRow,
)
from parcelsync.expected.store import expected_for
from parcelsync.payments.facts import GatewayCheck, GatewayFacts, IntentFacts, ParcelFacts, Receipt
from parcelsync.payments.kinds import kind_of
from parcelsync.payments.receipts import to_receipt
from parcelsync.sync.gateways import default_gateway


async def gateway_providers(session: AsyncSession, merchant_id: str) -> list[str]:
    """The merchant's enabled connections whose provider is a payment gateway."""
    rows = await session.scalars(
        select(ConnectionRow.provider).where(ConnectionRow.merchant_id == merchant_id, ConnectionRow.enabled.is_(True))
    )
    return sorted(p for p in rows if kind_of(p) is Kind.PAYMENT_GATEWAY)


def parcel_facts(row: Any, last_scan: datetime | None, expected: date | None = None) -> ParcelFacts:
    return ParcelFacts(
        shipment_id=row.id, tracking_number=row.tracking_number, carrier=row.carrier, status=row.status,
        ship_date=row.ship_date, created_at=row.created_at, updated_at=row.updated_at, order_id=row.order_id,
        order_value=row.order_value, currency=row.currency, delivered_at=row.delivered_at,
        last_checkpoint_at=last_scan, expected_delivery=expected,
    )


async def _latest(session: AsyncSession, column: Any, owner: Any, ids: Sequence[int]) -> dict[int, datetime]:
    out: dict[int, datetime] = {}
    for start in range(0, len(ids), 1000):
        rows = await session.execute(
            select(owner, func.max(column)).where(owner.in_(list(ids[start : start + 1000]))).group_by(owner)
        )
        out.update({shipment_id: at for shipment_id, at in rows if at is not None})
    return out


async def _last_activity(session: AsyncSession, ids: Sequence[int]) -> dict[int, datetime]:
    """Per shipment: its latest checkpoint, or else its latest status change (what "stuck" measures from)."""
    changes = await _latest(session, StatusEventRow.at, StatusEventRow.shipment_id, ids)
    scans = await _latest(session, CheckpointRow.time, CheckpointRow.shipment_id, ids)
    return {**changes, **scans}


@dataclass(frozen=True, slots=True)
class IntentRows:
    """The raw rows behind intents: parcels by intent, for detail pages and evidence."""

    facts: list[IntentFacts]
    rows: dict[str, list[ShipmentRow]]


async def load_intents(
    session: AsyncSession, merchant_id: str, *, intent_ids: Collection[str] | None = None
) -> IntentRows:
    """Every payment intent of the merchant (or the given ones) with live parcels, as facts."""
    stmt = select(ShipmentRow).where(*_live(merchant_id))
    if intent_ids is None:
        shipments = list((await session.scalars(stmt.order_by(ShipmentRow.id))).all())
    else:
        shipments = []
        for chunk in _chunks(sorted(set(intent_ids))):
            shipments += (await session.scalars(stmt.where(ShipmentRow.payment_intent_id.in_(chunk)))).all()
        shipments.sort(key=lambda r: r.id)
    facts, by_intent = await _facts(session, merchant_id, shipments)
    return IntentRows(facts, by_intent)


FACT_COLUMNS = (
    "id", "tracking_number", "carrier", "status", "ship_date", "created_at", "updated_at", "order_id", "order_value",
    "currency", "delivered_at", "payment_intent_id", "destination_country",
)
"""The shipment columns the facts read (`parcel_facts`, `expected_for`); routing columns are added per gateway."""


@dataclass(frozen=True, slots=True)
class Routing:
    """The merchant's payment-gateway connections, its default gateway and each gateway's key shape."""

    gateways: list[str]
    default: str | None
    shapes: dict[str, KeyShape]


async def routing_of(session: AsyncSession, merchant_id: str) -> Routing:
    gateways = await gateway_providers(session, merchant_id)
    return Routing(gateways, await default_gateway(session, merchant_id), {g: connector_for(g).key for g in gateways})


async def load_facts(
    session: AsyncSession, merchant_id: str, intent_ids: Collection[str], routing: Routing | None = None
) -> list[IntentFacts]:
    """The given intents' facts, like `load_intents`, read as plain columns rather than ORM entities (cheaper for
    the thousands a list page or the risk index reads); `routing` once for many calls."""
    routing = routing or await routing_of(session, merchant_id)
    needed = {shape.only_when[0] for shape in routing.shapes.values() if shape.only_when is not None}
    columns = [ShipmentRow.__table__.c[name] for name in (*FACT_COLUMNS, *sorted(needed - set(FACT_COLUMNS)))]
    shipments: list[Any] = []
    for chunk in _chunks(sorted(set(intent_ids))):
        shipments += (
            await session.execute(select(*columns).where(*_live(merchant_id), ShipmentRow.payment_intent_id.in_(chunk)))
        ).all()
    shipments.sort(key=lambda r: r.id)
    return (await _facts(session, merchant_id, shipments, routing))[0]


def _live(merchant_id: str) -> list[Any]:
    return [
        ShipmentRow.merchant_id == merchant_id,
        ShipmentRow.deleted_at.is_(None),
        ShipmentRow.payment_intent_id.is_not(None),
    ]


async def _facts(
    session: AsyncSession, merchant_id: str, shipments: Sequence[Any], routing: Routing | None = None
) -> tuple[list[IntentFacts], dict[str, list[Any]]]:
    """Shipments (entities or rows with their columns), sorted by id, grouped into intents with their facts."""
    by_intent: dict[str, list[Any]] = defaultdict(list)
    for row in shipments:
        by_intent[row.payment_intent_id or ""].append(row)
    activity = await _last_activity(session, [r.id for r in shipments])
    expected = await expected_for(session, merchant_id, shipments)
    routing = routing or await routing_of(session, merchant_id)
    gateways, default, shapes = routing.gateways, routing.default, routing.shapes
    targets = await _targets(session, merchant_id, gateways, list(by_intent))
    receipts = await _latest_receipts(session, merchant_id, gateways, list(by_intent))
    checks = await _checks(session, merchant_id, list(by_intent))
    facts = [
        IntentFacts(
            merchant_id=merchant_id,
            payment_intent_id=intent,
            parcels=tuple(parcel_facts(r, activity.get(r.id), expected[r.id].latest) for r in rows),
            gateways=tuple(
                _gateway(provider, targets.get((provider, intent)), receipts.get((provider, intent)),
                         checks.get((provider, intent)))
                for provider in routed_gateways(shapes, rows, default)
            ),
        )
        for intent, rows in by_intent.items()
    ]
    return facts, dict(by_intent)


def routed_gateways(shapes: Mapping[str, KeyShape], rows: Sequence[Any], default: str | None) -> list[str]:
    """The gateways an intent's parcels go to (a payment through UseePay is not at risk at PayPal); all of
    them while its gateway is not chosen."""
    routed = [g for g, shape in shapes.items() if any(shape.selects(r, default) for r in rows)]
    return routed or list(shapes)


def _gateway(
    provider: str, target: SyncTargetRow | None, receipt: Receipt | None, check: GatewayCheck | None
) -> GatewayFacts:
    return GatewayFacts(
        provider=provider,
        state=target.state if target is not None else None,
        reason=target.reason if target is not None and target.state in ("parked", "dead") else None,
        target_id=target.id if target is not None else None,
        last_attempt_at=target.last_attempt_at if target is not None else None,
        last_receipt=receipt,
        check=check,
        acked_version=target.acked_version if target is not None else 0,
    )


def _chunks(keys: Sequence[str], size: int = 1000) -> list[list[str]]:
    return [list(keys[i : i + size]) for i in range(0, len(keys), size)]


async def _targets(
    session: AsyncSession, merchant_id: str, providers: Sequence[str], keys: Sequence[str]
) -> dict[tuple[str, str], SyncTargetRow]:
    out: dict[tuple[str, str], SyncTargetRow] = {}
    if not providers:
        return out
    for chunk in _chunks(keys):
        rows = await session.scalars(
            select(SyncTargetRow).where(
                SyncTargetRow.merchant_id == merchant_id,
                SyncTargetRow.provider.in_(list(providers)),
                SyncTargetRow.target_key.in_(chunk),
            )
        )
        out.update({(r.provider, r.target_key): r for r in rows})
    return out


async def _latest_receipts(
    session: AsyncSession, merchant_id: str, providers: Sequence[str], keys: Sequence[str]
) -> dict[tuple[str, str], Receipt]:
    out: dict[tuple[str, str], Receipt] = {}
    if not providers:
        return out
    for chunk in _chunks(keys):
        rows = await session.scalars(
            select(SyncReceiptRow)
            .where(
                SyncReceiptRow.merchant_id == merchant_id,
                SyncReceiptRow.provider.in_(list(providers)),
                SyncReceiptRow.target_key.in_(chunk),
            )
            .order_by(SyncReceiptRow.acknowledged_at, SyncReceiptRow.id)
        )
        out.update({(r.provider, r.target_key): to_receipt(r) for r in rows})
    return out


async def _checks(
    session: AsyncSession, merchant_id: str, keys: Sequence[str]
) -> dict[tuple[str, str], GatewayCheck]:
    out: dict[tuple[str, str], GatewayCheck] = {}
    for chunk in _chunks(keys):
        rows = await session.scalars(
            select(GatewayCheckRow).where(
                GatewayCheckRow.merchant_id == merchant_id, GatewayCheckRow.payment_intent_id.in_(chunk)
            )
        )
        out.update({
            (r.provider, r.payment_intent_id): GatewayCheck(r.checked_at, tuple(r.hub_numbers), tuple(r.remote_numbers))
            for r in rows
        })
    return out
