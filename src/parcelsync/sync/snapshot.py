"""What a destination is sent: the full current set of shipments behind each claimed target.

Read order matters. Each target's `desired_version` is read first (returned by the claim), then its
shipments: an edit that commits in between makes the shipments newer than the version, never older,
so acking that version can only cause one extra (harmless) resend, never a lost edit.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.connectors.calls import TargetSnapshot
from parcelsync.connectors.record import Connector
from parcelsync.connectors.registry import connector_for
from parcelsync.db.tables import ShipmentRow
from parcelsync.domain.models import Shipment
from parcelsync.domain.status import DeliveryStatus
from parcelsync.sync.gateways import default_gateway
from parcelsync.sync.keys import keys_condition
from parcelsync.sync.outbox import Claim
from parcelsync.sync.tracking_links import LINKED_KINDS, PageLinker, links_enabled, with_page_links

__all__ = ["TargetSnapshot", "load_snapshots", "to_shipment"]


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
        payment_gateway=row.payment_gateway,
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


def _key_of(connector: Connector, row: ShipmentRow) -> str:
    return connector.key.format(*(getattr(row, c) or "" for c in connector.key.columns))


async def load_snapshots(session: AsyncSession, claim: Claim, linker: PageLinker | None = None) -> list[TargetSnapshot]:
    """For each claimed target: the version claimed (read before the shipments), then every shipment behind it.

    With a `linker` and the merchant's `tracking_page_links` on, each shipment's tracking_url is what the
    destination's kind gets (sync/tracking_links.py).
    """
    connector = connector_for(claim.provider)
    keys = [t.key for t in claim.targets]
    gateway = await default_gateway(session, claim.merchant_id) if connector.key.only_when else None
    behind = keys_condition(connector.provider, keys, gateway=gateway, row_values=False)
    stmt = select(ShipmentRow).where(ShipmentRow.merchant_id == claim.merchant_id, behind).order_by(ShipmentRow.id)
    if not connector.tracks_deletions:
        stmt = stmt.where(ShipmentRow.deleted_at.is_(None))
    live: dict[str, list[Shipment]] = {k: [] for k in keys}
    gone: dict[str, Shipment] = {}
    removed: dict[str, list[Shipment]] = {k: [] for k in keys}
    for row in (await session.scalars(stmt)).all():
        key = _key_of(connector, row)
        if key not in live:
            continue
        if row.deleted_at is None:
            live[key].append(to_shipment(row))
        else:
            gone[key] = to_shipment(row)
            removed[key].append(gone[key])
    kind = connector.kind
    if linker is not None and kind in LINKED_KINDS and await links_enabled(session, claim.merchant_id):
        live = {k: list(with_page_links(v, kind, linker, claim.merchant_id)) for k, v in live.items()}
    return [
        TargetSnapshot(
            target=t,
            version=t.desired_version,
            shipments=tuple(live[t.key]),
            deleted=gone.get(t.key) if not live[t.key] else None,
            removed=tuple(removed[t.key]),
        )
        for t in claim.targets
    ]
