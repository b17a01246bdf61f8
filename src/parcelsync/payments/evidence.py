"""The evidence pack of one payment intent: a JSON document, hashed, for a dispute.

The document holds the merchant, the order and payment ids, every live parcel (carrier, number,
URL, ship and delivery dates, the delivery checkpoint's location and text, the full timeline),
the receipts that show when the numbers reached each payment gateway and each store, and the
buyer's e-mail masked. `canonical_json` is the exact byte string whose SHA-256 the PDF prints,
so anyone holding both files can check that they belong together.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.connectors.carriers import default_registry
from parcelsync.connectors.record import Kind
from parcelsync.db.tables import CheckpointRow, MerchantRow, ShipmentRow
from parcelsync.payments.kinds import kind_of
from parcelsync.payments.queries import parcel_facts
from parcelsync.payments.receipts import receipts_for
from parcelsync.payments.value import order_values
from parcelsync.sync.keys import history_keys

FORMAT = "parcelsync.evidence/1"
EVIDENCE_KINDS = (Kind.PAYMENT_GATEWAY, Kind.STORE)


def mask_email(email: str | None) -> str | None:
    """`olivia@example.com` -> `o****a@example.com`: enough to recognise, not enough to reuse."""
    if not email or "@" not in email:
        return None
    local, _, domain = email.partition("@")
    hidden = local[0] + "****" + (local[-1] if len(local) > 2 else "")
    return f"{hidden}@{domain}"


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass(frozen=True, slots=True)
class EvidencePack:
    """The document, its canonical bytes and their SHA-256."""

    document: dict[str, Any]
    canonical_json: bytes
    sha256: str

    @property
    def subject(self) -> str:
        """What the pack is about: the payment intent, or else the order."""
        payment = self.document["payment"]
        return str(payment["payment_intent_id"] or ", ".join(payment["order_ids"]))


def seal(document: dict[str, Any]) -> EvidencePack:
    """Serialise canonically (sorted keys, UTF-8, 2-space indent) and hash the bytes."""
    data = (json.dumps(document, sort_keys=True, ensure_ascii=False, indent=2) + "\n").encode()
    return EvidencePack(document, data, hashlib.sha256(data).hexdigest())


def _checkpoint(row: CheckpointRow) -> dict[str, Any]:
    return {
        "time": row.time.isoformat(), "status": row.status, "location": row.location, "description": row.description,
    }


def _parcel(row: ShipmentRow, timeline: list[CheckpointRow]) -> dict[str, Any]:
    registry = default_registry()
    carrier = registry.resolve(row.carrier)
    delivery = next((c for c in reversed(timeline) if c.status == "delivered"), None)
    if delivery is None and row.status == "delivered" and timeline:
        delivery = timeline[-1]  # delivered, but the carrier's last scan carries no status of its own
    return {
        "shipment_id": row.id,
        "carrier": row.carrier,
        "carrier_name": carrier.name if carrier is not None else row.carrier,
        "tracking_number": row.tracking_number,
        "tracking_url": row.tracking_url or registry.tracking_url(row.carrier, row.tracking_number),
        "order_id": row.order_id,
        "fulfillment_id": row.fulfillment_id,
        "title": row.title,
        "destination_country": row.destination_country,
        "ship_date": row.ship_date.isoformat() if row.ship_date else None,
        "status": row.status,
        "delivered_at": _iso(row.delivered_at),
        "delivery_checkpoint": _checkpoint(delivery) if delivery is not None else None,
        "checkpoints": [_checkpoint(c) for c in timeline],
    }


async def _live_rows(
    session: AsyncSession, merchant_id: str, intent_id: str | None, order_id: str | None
) -> list[ShipmentRow]:
    stmt = select(ShipmentRow).where(ShipmentRow.merchant_id == merchant_id, ShipmentRow.deleted_at.is_(None))
    if intent_id is not None:
        stmt = stmt.where(ShipmentRow.payment_intent_id == intent_id)
    else:
        stmt = stmt.where(ShipmentRow.order_id == order_id)
    return list((await session.scalars(stmt.order_by(ShipmentRow.id))).all())


async def build_pack(
    session: AsyncSession, merchant_id: str, intent_id: str | None, now: datetime, *, order_id: str | None = None
) -> EvidencePack | None:
    """The evidence pack of one payment intent (or, with `order_id`, one order) of this merchant.

    None when it has no live parcels.
    """
    if (intent_id is None) == (order_id is None):
        raise ValueError("name a payment intent or an order")
    rows = await _live_rows(session, merchant_id, intent_id, order_id)
    if not rows:
        return None
    merchant = await session.get(MerchantRow, merchant_id)
    ids = [r.id for r in rows]
    timeline: dict[int, list[CheckpointRow]] = {i: [] for i in ids}
    for cp in (
        await session.scalars(
            select(CheckpointRow)
            .where(CheckpointRow.shipment_id.in_(ids))
            .order_by(CheckpointRow.time, CheckpointRow.id)
        )
    ).all():
        timeline[cp.shipment_id].append(cp)
    wanted = sorted({
        (k.provider.value, k.key)
        for r in rows
        for k in history_keys(r)
        if kind_of(k.provider.value) in EVIDENCE_KINDS
    })
    receipts = await receipts_for(session, merchant_id, wanted)
    emails = sorted({m for m in (mask_email(r.customer_email) for r in rows) if m})
    value = order_values(parcel_facts(r, None) for r in rows)
    intents = sorted({r.payment_intent_id for r in rows if r.payment_intent_id})
    document: dict[str, Any] = {
        "format": FORMAT,
        "generated_at": now.isoformat(),
        "merchant": {"id": merchant_id, "name": merchant.name if merchant is not None else merchant_id},
        "payment": {
            "payment_intent_id": intent_id or (intents[0] if len(intents) == 1 else None),
            "payment_intent_ids": intents,
            "order_ids": sorted({r.order_id for r in rows if r.order_id}),
            "order_value": [{"currency": c, "amount": str(a)} for c, a in sorted(value.items())],
        },
        "buyer": {"email": emails[0] if len(emails) == 1 else emails or None,
                  "destination_country": next((r.destination_country for r in rows if r.destination_country), None)},
        "parcels": [_parcel(r, timeline[r.id]) for r in rows],
        "receipts": [
            {
                "provider": r.provider,
                "kind": (kind_of(r.provider) or Kind.STORE).value,
                "target": r.target_key,
                "version": r.version,
                "acknowledged_at": r.acknowledged_at.isoformat(),
                "request_id": r.request_id,
                "sent": list(r.parcels),
            }
            for r in receipts
        ],
    }
    return seal(document)
