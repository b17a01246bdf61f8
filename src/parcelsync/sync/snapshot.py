"""What a destination is sent: the full current set of shipments behind each claimed target.

Read order matters. Each target's `desired_version` is read first (returned by the claim), then its
shipments: an edit that commits in between makes the shipments newer than the version, never older,
so acking that version can only cause one extra (harmless) resend, never a lost edit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.db.tables import ShipmentRow
from parcelsync.domain.models import Shipment
from parcelsync.domain.provider import Provider
from parcelsync.domain.status import DeliveryStatus
from parcelsync.sync.keys import split_shopline_key, split_trackingmore_key
from parcelsync.sync.outbox import Claim, ClaimedTarget


def to_shipment(row: ShipmentRow) -> Shipment:
    """A shipment row as the domain value the provider mappings take."""
    return Shipment(
        id=str(row.id),
        merchant_id=row.merchant_id,
        tracking_number=row.tracking_number,
        carrier=row.carrier,
        tracking_url=row.tracking_url,
        order_id=row.order_id,
        fulfillment_id=row.fulfillment_id,
        payment_intent_id=row.payment_intent_id,
        title=row.title,
        logistics_channel=row.logistics_channel,
        customer_name=row.customer_name,
        customer_email=row.customer_email,
        customer_phone=row.customer_phone,
        destination_country=row.destination_country,
        ship_date=row.ship_date,
        status=DeliveryStatus.parse(row.status),
        substatus=row.substatus,
        last_event=row.last_event,
        delivered_at=row.delivered_at,
    )


@dataclass(frozen=True, slots=True)
class TargetSnapshot:
    """One claimed target, the version read before its shipments, and those shipments (oldest first).

    `shipments` holds the live parcels; for TrackingMore, `deleted` is the parcel when it is gone.
    """

    target: ClaimedTarget
    version: int
    shipments: tuple[Shipment, ...]
    deleted: Shipment | None = None

    @property
    def key(self) -> str:
        return self.target.key


def _key_condition(provider: Provider, keys: Sequence[str]):  # type: ignore[no-untyped-def]
    if provider is Provider.USEEPAY:
        return ShipmentRow.payment_intent_id.in_(list(keys))
    if provider is Provider.SHOPLINE:
        pairs = [split_shopline_key(k) for k in keys]
        return or_(*(and_(ShipmentRow.order_id == o, ShipmentRow.fulfillment_id == f) for o, f in pairs))
    pairs = [split_trackingmore_key(k) for k in keys]
    return or_(*(and_(ShipmentRow.carrier == c, ShipmentRow.tracking_number == n) for c, n in pairs))


def _key_of(provider: Provider, row: ShipmentRow) -> str:
    if provider is Provider.USEEPAY:
        return row.payment_intent_id or ""
    if provider is Provider.SHOPLINE:
        return f"{row.order_id}/{row.fulfillment_id}"
    return f"{row.carrier}/{row.tracking_number}"


async def load_snapshots(session: AsyncSession, claim: Claim) -> list[TargetSnapshot]:
    """For each claimed target: the version claimed (read before the shipments), then every shipment behind it."""
    keys = [t.key for t in claim.targets]
    stmt = (
        select(ShipmentRow)
        .where(ShipmentRow.merchant_id == claim.merchant_id, _key_condition(claim.provider, keys))
        .order_by(ShipmentRow.id)
    )
    if claim.provider is not Provider.TRACKINGMORE:
        stmt = stmt.where(ShipmentRow.deleted_at.is_(None))
    live: dict[str, list[Shipment]] = {k: [] for k in keys}
    gone: dict[str, Shipment] = {}
    for row in (await session.scalars(stmt)).all():
        key = _key_of(claim.provider, row)
        if key not in live:
            continue
        if row.deleted_at is None:
            live[key].append(to_shipment(row))
        else:
            gone[key] = to_shipment(row)
    return [
        TargetSnapshot(
            target=t,
            version=t.desired_version,
            shipments=tuple(live[t.key]),
            deleted=gone.get(t.key) if not live[t.key] else None,
        )
        for t in claim.targets
    ]
