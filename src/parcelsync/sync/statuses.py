"""Status back-flow: TrackingMore's webhooks and, where no webhook can reach the hub, polling.

Both paths end in `apply_update`, which is idempotent: checkpoints are unique per
(shipment, time, description), a status event is written only when the status changes, and a
webhook whose tracking payload was already processed is recognised by its digest.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.db.crypto import CredentialCipher
from parcelsync.db.queries.carrier_overrides import registry_for
from parcelsync.db.queries.connections import load_connection
from parcelsync.db.tables import CheckpointRow, ConnectionRow, ShipmentRow, StatusEventRow, WebhookDeliveryRow
from parcelsync.domain.carriers import CarrierRegistry
from parcelsync.domain.provider import Provider
from parcelsync.metrics import STATUS_UPDATES, WEBHOOKS
from parcelsync.providers.trackingmore.client import TrackingMoreClient
from parcelsync.providers.trackingmore.mapping import TrackingUpdate, parse_time
from parcelsync.providers.trackingmore.webhook import WebhookVerificationError, parse_webhook, verify_webhook

PROVIDER = Provider.TRACKINGMORE.value
POLL_OVERLAP = timedelta(minutes=2)


class WebhookRejected(Exception):
    """The webhook cannot be accepted: `status` is the HTTP answer (401 bad signature, 404 unknown)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True, slots=True)
class Applied:
    """What one tracking update changed: the shipment, a status change, how many new checkpoints."""

    shipment_id: int | None
    status_changed: bool = False
    new_checkpoints: int = 0


def _insert(session: AsyncSession, table: Any) -> Any:
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


async def _find_shipment(
    session: AsyncSession, merchant_id: str, update: TrackingUpdate, registry: CarrierRegistry
) -> ShipmentRow | None:
    rows = (
        await session.scalars(
            select(ShipmentRow).where(
                ShipmentRow.merchant_id == merchant_id,
                ShipmentRow.tracking_number == update.tracking_number,
                ShipmentRow.deleted_at.is_(None),
            )
        )
    ).all()
    if len(rows) <= 1 or not update.carrier_code:
        return rows[0] if rows else None
    matching = [r for r in rows if registry.code_for(Provider.TRACKINGMORE, r.carrier) == update.carrier_code]
    return matching[0] if matching else rows[0]


async def apply_update(
    session: AsyncSession,
    merchant_id: str,
    update: TrackingUpdate,
    *,
    registry: CarrierRegistry,
    source: str,
    now: datetime,
) -> Applied:
    """Store a tracking update on the merchant's shipment: status, substatus, last event, checkpoints."""
    row = await _find_shipment(session, merchant_id, update, registry)
    if row is None:
        return Applied(None)
    new_status = update.status.value
    changed = row.status != new_status
    if changed:
        session.add(
            StatusEventRow(
                shipment_id=row.id, at=now, from_status=row.status, to_status=new_status,
                substatus=update.substatus, source=source,
            )
        )
    fields = {
        "status": new_status,
        "substatus": update.substatus,
        "last_event": update.last_event or row.last_event,
        "delivered_at": update.delivered_at or (row.delivered_at if new_status == "delivered" else None),
    }
    if any(getattr(row, k) != v for k, v in fields.items()):
        for key, value in fields.items():
            setattr(row, key, value)
        row.updated_at = now
    added = 0
    if update.checkpoints:
        known = set(
            (await session.execute(
                select(CheckpointRow.time, CheckpointRow.description).where(CheckpointRow.shipment_id == row.id)
            )).all()
        )
        fresh = [c for c in update.checkpoints if (c.time, c.description[:1000]) not in known]
        if fresh:
            stmt = _insert(session, CheckpointRow).values(
                [
                    {
                        "shipment_id": row.id, "time": c.time, "description": c.description[:1000],
                        "location": (c.location or "")[:300], "status": c.status.value if c.status else None,
                    }
                    for c in fresh
                ]
            )
            await session.execute(stmt.on_conflict_do_nothing(index_elements=["shipment_id", "time", "description"]))
            added = len(fresh)
    await session.flush()
    STATUS_UPDATES.labels(source).inc()
    return Applied(row.id, changed, added)


def delivery_key(payload: Mapping[str, Any]) -> str:
    """A redelivery of the same tracking state has the same key (the signature and timeStr may differ)."""
    data = payload.get("data")
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


async def receive_webhook(
    session: AsyncSession,
    cipher: CredentialCipher,
    merchant_id: str,
    body: bytes,
    *,
    max_age_s: float,
    now: datetime,
    wall_time: float | None = None,
) -> Applied | None:
    """Verify and apply one TrackingMore v2 webhook; None when it was already processed."""
    connection = await load_connection(session, cipher, merchant_id, Provider.TRACKINGMORE)
    if connection is None:
        WEBHOOKS.labels(PROVIDER, "unknown_merchant").inc()
        raise WebhookRejected(404, "no TrackingMore connection for this merchant")
    try:
        verify_webhook(
            body, connection.credentials.get("account_email", ""), max_age_s=max_age_s,
            now=time.time() if wall_time is None else wall_time,
        )
        payload = json.loads(body)
        update = parse_webhook(payload)
    except (WebhookVerificationError, ValueError) as exc:
        WEBHOOKS.labels(PROVIDER, "bad_signature").inc()
        raise WebhookRejected(401, str(exc)) from None
    inserted = await session.execute(
        _insert(session, WebhookDeliveryRow)
        .values(merchant_id=merchant_id, provider=PROVIDER, delivery_key=delivery_key(payload), received_at=now)
        .on_conflict_do_nothing(index_elements=["merchant_id", "provider", "delivery_key"])
    )
    if not inserted.rowcount:
        WEBHOOKS.labels(PROVIDER, "duplicate").inc()
        return None
    WEBHOOKS.labels(PROVIDER, "ok").inc()
    registry = await registry_for(session, merchant_id)
    return await apply_update(session, merchant_id, update, registry=registry, source="webhook", now=now)


async def polled_connections(session: AsyncSession, now: datetime) -> list[str]:
    """Merchants whose enabled TrackingMore connection has webhooks switched off (option `webhooks: false`)
    and whose next poll is due; `claim_poll` then takes each one atomically."""
    rows = await session.execute(
        select(ConnectionRow.merchant_id, ConnectionRow.options).where(
            ConnectionRow.provider == PROVIDER,
            ConnectionRow.enabled.is_(True),
            or_(ConnectionRow.poll_due_at.is_(None), ConnectionRow.poll_due_at <= now),
        )
    )
    return sorted(m for m, options in rows if (options or {}).get("webhooks") is False)


async def claim_poll(session: AsyncSession, merchant_id: str, now: datetime, interval_s: float) -> bool:
    """Take this connection's next poll: one atomic UPDATE, so of several worker processes exactly one
    polls a connection per interval. False when the poll is not due yet (or another worker took it)."""
    result = await session.execute(
        update(ConnectionRow)
        .where(
            ConnectionRow.merchant_id == merchant_id,
            ConnectionRow.provider == PROVIDER,
            or_(ConnectionRow.poll_due_at.is_(None), ConnectionRow.poll_due_at <= now),
        )
        .values(poll_due_at=now + timedelta(seconds=interval_s))
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)


async def poll_page_cursor(session: AsyncSession, merchant_id: str) -> datetime | None:
    return await session.scalar(
        select(ConnectionRow.poll_cursor).where(
            ConnectionRow.merchant_id == merchant_id, ConnectionRow.provider == PROVIDER
        )
    )


async def poll_merchant(
    sessions: Any,
    client: TrackingMoreClient,
    merchant_id: str,
    *,
    now: datetime,
    limit: int = 200,
) -> int:
    """Fetch trackings updated since the saved cursor (paged, 1 request/s) and apply them. Returns how many.

    The cursor is the provider's own `updated_at` of the newest tracking seen (minus a small
    overlap, re-applied harmlessly), so the hub's clock and TrackingMore's need not agree.
    """
    async with sessions() as session:
        cursor = await poll_page_cursor(session, merchant_id)
        registry = await registry_for(session, merchant_id)
    since = cursor - POLL_OVERLAP if cursor is not None else None
    newest = cursor
    applied = 0
    page = 1
    while True:
        result = await client.list_trackings(page=page, limit=limit, update_time_min=since)
        async with sessions() as session, session.begin():
            for update in result.items:
                await apply_update(session, merchant_id, update, registry=registry, source="poll", now=now)
                seen = parse_time(update.raw.get("updated_at")) or update.last_update_time
                if seen is not None and (newest is None or seen > newest):
                    newest = seen
            applied += len(result.items)
            if newest is not None and newest != cursor:
                connection = await session.scalar(
                    select(ConnectionRow).where(
                        ConnectionRow.merchant_id == merchant_id, ConnectionRow.provider == PROVIDER
                    )
                )
                if connection is not None:
                    connection.poll_cursor = newest
        if not result.has_more:
            return applied
        page += 1
