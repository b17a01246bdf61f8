"""What a destination is sent: the full current set of shipments behind each claimed target.

Read order matters. Each target's `desired_version` is read first (returned by the claim), then its
shipments: an edit that commits in between makes the shipments newer than the version, never older,
so acking that version can only cause one extra (harmless) resend, never a lost edit.

The shipments are read as plain rows of the columns a `Shipment` needs, by one statement per provider
and default gateway built once per process: `IN` on each key column (a superset when a key has two
columns), then exactly the rows whose column values are one of the claimed keys' values, as an `=` per
column would select them.
"""

from __future__ import annotations

import functools
from typing import Any, cast

from sqlalchemy import Executable, Table, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.connectors.calls import TargetSnapshot
from parcelsync.connectors.record import Connector
from parcelsync.connectors.registry import connector_for
from parcelsync.db.tables import ShipmentRow
from parcelsync.domain.models import Shipment
from parcelsync.domain.provider import Provider
from parcelsync.domain.status import DeliveryStatus
from parcelsync.sync.keys import selector_condition
from parcelsync.sync.outbox import Claim
from parcelsync.sync.tracking_links import LINKED_KINDS, PageLinker, with_page_links

__all__ = ["TargetSnapshot", "load_snapshots", "to_shipment"]

S = cast(Table, ShipmentRow.__table__).c
COLUMNS = (
    S.id, S.merchant_id, S.tracking_number, S.carrier, S.tracking_url, S.order_id, S.fulfillment_id,
    S.payment_intent_id, S.payment_gateway, S.title, S.logistics_channel, S.customer_name, S.customer_email,
    S.customer_phone, S.destination_country, S.ship_date, S.status, S.substatus, S.last_event, S.delivered_at,
    S.deleted_at,
)
"""What `to_shipment` reads, plus `deleted_at` (table columns: a Core statement, plain rows, no ORM loading)."""


def to_shipment(row: Any) -> Shipment:
    """A shipment row (an ORM row or a row of `COLUMNS`) as the domain value the provider mappings take."""
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


def _key_of(connector: Connector, row: Any) -> str:
    return connector.key.format(*(getattr(row, c) or "" for c in connector.key.columns))


@functools.cache
def _statement(provider: Provider, gateway: str | None) -> Executable:
    """The shipments behind a claim's keys: bound `m` (merchant) and `k0`, `k1` (each key column's values)."""
    connector = connector_for(provider)
    stmt = select(*COLUMNS).where(S.merchant_id == bindparam("m"))
    for i, name in enumerate(connector.key.columns):
        stmt = stmt.where(S[name].in_(bindparam(f"k{i}", expanding=True)))
    stmt = stmt.where(selector_condition(provider, gateway=gateway))
    if not connector.tracks_deletions:
        stmt = stmt.where(S.deleted_at.is_(None))
    return stmt.order_by(S.id)


async def load_snapshots(
    session: AsyncSession,
    claim: Claim,
    linker: PageLinker | None = None,
    *,
    gateway: str | None = None,
    page_links: bool = False,
) -> list[TargetSnapshot]:
    """For each claimed target: the version claimed (read before the shipments), then every shipment behind it.

    `gateway` is the merchant's default payment gateway (`sync.gateways.default_gateway`, needed by
    connectors whose key has `only_when`); with a `linker` and `page_links` (the merchant's
    `tracking_page_links`), each shipment's tracking_url is what the destination's kind gets
    (sync/tracking_links.py).
    """
    connector = connector_for(claim.provider)
    keys = [t.key for t in claim.targets]
    columns = connector.key.columns
    parsed = {connector.key.parse(k) for k in keys}
    values: dict[str, Any] = {"m": claim.merchant_id}
    for i in range(len(columns)):
        values[f"k{i}"] = sorted({p[i] for p in parsed})
    stmt = _statement(connector.provider, gateway if connector.key.only_when else None)
    live: dict[str, list[Shipment]] = {k: [] for k in keys}
    gone: dict[str, Shipment] = {}
    removed: dict[str, list[Shipment]] = {k: [] for k in keys}
    for row in (await session.execute(stmt, values)).all():
        if tuple(getattr(row, c) for c in columns) not in parsed:
            continue
        key = _key_of(connector, row)
        if key not in live:
            continue
        if row.deleted_at is None:
            live[key].append(to_shipment(row))
        else:
            gone[key] = to_shipment(row)
            removed[key].append(gone[key])
    kind = connector.kind
    if linker is not None and kind in LINKED_KINDS and page_links:
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
