"""Status back-flow: webhooks from every connector with status intake and, where no webhook can reach the hub, polling.

The provider-specific half (verify and parse a webhook, read one page of updates) is the
connector's `status_intake`; this module stores what they return.

Both paths end in `apply_update`, which is idempotent: checkpoints are unique per
(shipment, time, description), a status event is written only when the status changes, and a
webhook whose tracking payload was already processed is recognised by its digest.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from parcelsync.connectors.carriers import default_registry
from parcelsync.connectors.intake import FetchingIntake, ParsedWebhook, StatusIntake, StatusUpdate, WebhookInvalid
from parcelsync.connectors.record import Connector
from parcelsync.connectors.registry import connector_for, with_status_intake
from parcelsync.db.crypto import CredentialCipher
from parcelsync.db.queries.carrier_overrides import registry_for
from parcelsync.db.queries.connections import load_connection
from parcelsync.db.results import rows_affected
from parcelsync.db.tables import (
    CheckpointRow,
    ConnectionRow,
    MerchantRow,
    ShipmentRow,
    StatusEventRow,
    WebhookDeliveryRow,
)
from parcelsync.domain.carriers import CarrierRegistry
from parcelsync.domain.models import Connection
from parcelsync.domain.provider import Provider
from parcelsync.events import record_events
from parcelsync.events.shipments import status_changed
from parcelsync.metrics import STATUS_UPDATES, WEBHOOKS
from parcelsync.providers.errors import ProviderError
from parcelsync.sync.status_order import StatusState, decide
from parcelsync.sync.webhook_fetch import HttpFactory, fetch_named, fetching

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
    session: AsyncSession, merchant_id: str, provider: Provider, update: StatusUpdate, registry: CarrierRegistry
) -> ShipmentRow | None:
    rows = (
        await session.scalars(
            select(ShipmentRow).where(
                ShipmentRow.merchant_id == merchant_id,
                ShipmentRow.tracking_number == update.tracking_number,
                ShipmentRow.deleted_at.is_(None),
            ).with_for_update()  # PostgreSQL: a concurrent webhook and poll decide one after the other
        )
    ).all()
    if len(rows) <= 1 or not update.carrier_code:
        return rows[0] if rows else None
    matching = [r for r in rows if registry.code_for(provider, r.carrier) == update.carrier_code]
    return matching[0] if matching else rows[0]


async def apply_update(
    session: AsyncSession,
    merchant_id: str,
    update: StatusUpdate,
    *,
    registry: CarrierRegistry,
    source: str,
    now: datetime,
    provider: Provider | None = None,
) -> Applied:
    """Store a tracking update on the merchant's shipment: its unseen checkpoints always; status, substatus,
    last event and `delivered_at` only when its newest event is not older than the stored one (`decide`).

    `provider` names the carrier codes the update uses (default: the one status-intake connector).
    """
    reporting = connector_for(provider) if provider is not None else _default_intake()
    row = await _find_shipment(session, merchant_id, reporting.provider, update, registry)
    if row is None:
        return Applied(None)
    stored = StatusState(row.status, row.substatus, row.last_event, row.delivered_at, row.status_at)
    decision = decide(stored, incoming_state(update))
    if decision.transition is not None:
        session.add(
            StatusEventRow(
                shipment_id=row.id, at=decision.state.event_at or now, from_status=decision.transition[0],
                to_status=decision.transition[1], substatus=update.substatus, source=source,
            )
        )
    fields = decision.changed_fields
    if any(getattr(row, k) != v for k, v in fields.items()):
        for key, value in fields.items():
            setattr(row, key, value)
        row.updated_at = now
    if decision.transition is not None:
        previous, new_status = decision.transition
        at = decision.state.event_at or now
        await record_events(session, merchant_id, status_changed(row.id, row, previous, new_status, at, source))
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
    return Applied(row.id, decision.transition is not None, added)


def incoming_state(update: StatusUpdate) -> StatusState:
    """An update as a status state: its event time is its newest checkpoint, else the provider's update time
    (`last_update_time`, where the connector's update carries one)."""
    updated: datetime | None = getattr(update, "last_update_time", None)
    event_at = max(c.time for c in update.checkpoints) if update.checkpoints else updated
    return StatusState(update.status.value, update.substatus, update.last_event, update.delivered_at, event_at)


def _default_intake() -> Connector:
    return next(with_status_intake())


def _intake(connector: Connector) -> StatusIntake:
    if connector.status_intake is None:
        raise ValueError(f"{connector.name} reports no delivery status")
    return connector.status_intake


REPLAY_PREFIX = "replay:"
"""Replay keys share the delivery table (and its unique key) with delivery keys, under this prefix."""


async def _seen(session: AsyncSession, merchant_id: str, provider: str, key: str) -> bool:
    """Whether a delivery (or replay) key was recorded before (a read: no lock is taken)."""
    found = await session.scalar(
        select(WebhookDeliveryRow.id).where(
            WebhookDeliveryRow.merchant_id == merchant_id,
            WebhookDeliveryRow.provider == provider,
            WebhookDeliveryRow.delivery_key == key,
        )
    )
    return found is not None


async def _claim(session: AsyncSession, merchant_id: str, provider: str, key: str, now: datetime) -> bool:
    """Record a delivery (or replay) key; False when it was recorded before: the webhook was seen."""
    inserted = await session.execute(
        _insert(session, WebhookDeliveryRow)
        .values(merchant_id=merchant_id, provider=provider, delivery_key=key, received_at=now)
        .on_conflict_do_nothing(index_elements=["merchant_id", "provider", "delivery_key"])
    )
    return bool(rows_affected(inserted))


async def receive_webhook(
    session: AsyncSession,
    cipher: CredentialCipher,
    merchant_id: str,
    body: bytes,
    *,
    max_age_s: float,
    now: datetime,
    wall_time: float | None = None,
    provider: Provider | None = None,
    headers: Mapping[str, str] | None = None,
    http_factory: HttpFactory | None = None,
) -> Applied | None:
    """Verify and apply one status webhook of a provider; None when it was already processed.

    Where the connection asks for it (`fetching`), the verified webhook only names a tracking: its current
    state is fetched from the provider (on `http_factory`'s client) and applied under the same status-order
    rules as polling; a replayed signature is then answered as a duplicate, since its data cannot inject state.
    """
    connector = connector_for(provider) if provider is not None else _default_intake()
    intake = _intake(connector)
    pid = connector.id
    connection = await load_connection(session, cipher, merchant_id, connector.provider)
    if connection is None:
        WEBHOOKS.labels(pid, "unknown_merchant").inc()
        raise WebhookRejected(404, f"no {connector.name} connection for this merchant")
    try:
        parsed = intake.verify_and_parse(
            body, connection.credentials, max_age_s=max_age_s, now=time.time() if wall_time is None else wall_time,
            headers=headers,
        )
    except WebhookInvalid as exc:
        WEBHOOKS.labels(pid, "bad_signature").inc()
        raise WebhookRejected(401, str(exc)) from None
    if not is_status_source(connection.options):
        WEBHOOKS.labels(pid, "not_status_source").inc()
        return None
    fetcher = fetching(intake, connection.options)
    if fetcher is not None:
        return await _apply_fetched(session, connection, fetcher, parsed, now, http_factory)
    replay = parsed.replay_key
    if replay is not None and not await _claim(session, merchant_id, pid, REPLAY_PREFIX + replay, now):
        WEBHOOKS.labels(pid, "replayed").inc()
        raise WebhookRejected(409, "this webhook signature was already used: a replay is not applied")
    if not await _claim(session, merchant_id, pid, parsed.delivery_key, now):
        WEBHOOKS.labels(pid, "duplicate").inc()
        return None
    WEBHOOKS.labels(pid, "ok").inc()
    registry = await registry_for(session, merchant_id, default_registry())
    return await apply_update(
        session, merchant_id, parsed.update, registry=registry, source="webhook", now=now, provider=connector.provider
    )


async def _apply_fetched(
    session: AsyncSession, connection: Connection, fetcher: FetchingIntake, parsed: ParsedWebhook, now: datetime,
    http_factory: HttpFactory | None,
) -> Applied | None:
    """One fetch per (signature, named tracking): a replay or redelivery within the signature's age is a
    duplicate; a failed fetch is a 503 (nothing written, so the provider's retry fetches again).

    The fetch runs before anything is written: no write lock (SQLite's is database-wide) is held during the
    provider's answer. Two deliveries of one webhook at once may both fetch; the key's insert lets one apply.
    """
    merchant_id, provider = connection.merchant_id, connection.provider
    pid = provider.value
    named = parsed.update
    key = REPLAY_PREFIX + f"{parsed.replay_key or parsed.delivery_key}:{named.carrier_code}/{named.tracking_number}"
    if await _seen(session, merchant_id, pid, key):
        WEBHOOKS.labels(pid, "duplicate").inc()
        return None
    try:
        updates = await fetch_named(fetcher, connection, named, http_factory)
    except (ProviderError, httpx.HTTPError) as exc:
        WEBHOOKS.labels(pid, "fetch_failed").inc()
        reason = exc.reason if isinstance(exc, ProviderError) else type(exc).__name__
        raise WebhookRejected(503, f"the tracking could not be fetched from the provider: {reason}") from None
    if not await _claim(session, merchant_id, pid, key, now):
        WEBHOOKS.labels(pid, "duplicate").inc()
        return None
    WEBHOOKS.labels(pid, "ok").inc()
    registry = await registry_for(session, merchant_id, default_registry())
    applied = Applied(None)
    for fetched in updates:
        applied = await apply_update(
            session, merchant_id, fetched, registry=registry, source="webhook", now=now, provider=provider
        )
    return applied


async def polled_connections(session: AsyncSession, now: datetime) -> list[tuple[str, Provider]]:
    """(merchant, provider) of every enabled status-intake connection whose options ask for polling
    (e.g. `webhooks: false`) and whose next poll is due, of active merchants; `claim_poll` then takes each one
    atomically."""
    intakes = {c.id: c for c in with_status_intake()}
    if not intakes:
        return []
    rows = await session.execute(
        select(ConnectionRow.merchant_id, ConnectionRow.provider, ConnectionRow.options).where(
            ConnectionRow.provider.in_(sorted(intakes)),
            ConnectionRow.enabled.is_(True),
            or_(ConnectionRow.poll_due_at.is_(None), ConnectionRow.poll_due_at <= now),
            ConnectionRow.merchant_id.not_in(select(MerchantRow.id).where(MerchantRow.deactivated_at.is_not(None))),
        )
    )
    return sorted(
        (m, intakes[p].provider) for m, p, options in rows
        if _intake(intakes[p]).wants_polling(options or {}) and is_status_source(options or {})
    )


def is_status_source(options: Mapping[str, Any]) -> bool:
    """With two tracking providers connected, the one marked `status_source: false` is not listened to."""
    return options.get("status_source") is not False


async def claim_poll(
    session: AsyncSession, merchant_id: str, now: datetime, interval_s: float, provider: Provider | None = None
) -> bool:
    """Take this connection's next poll: one atomic UPDATE, so of several worker processes exactly one
    polls a connection per interval. False when the poll is not due yet (or another worker took it)."""
    pid = (connector_for(provider) if provider is not None else _default_intake()).id
    result = await session.execute(
        update(ConnectionRow)
        .where(
            ConnectionRow.merchant_id == merchant_id,
            ConnectionRow.provider == pid,
            or_(ConnectionRow.poll_due_at.is_(None), ConnectionRow.poll_due_at <= now),
        )
        .values(poll_due_at=now + timedelta(seconds=interval_s))
        .execution_options(synchronize_session=False)
    )
    return bool(rows_affected(result))


async def poll_page_cursor(session: AsyncSession, merchant_id: str, provider: Provider) -> datetime | None:
    return await session.scalar(
        select(ConnectionRow.poll_cursor).where(
            ConnectionRow.merchant_id == merchant_id, ConnectionRow.provider == provider.value
        )
    )


async def poll_merchant(
    sessions: async_sessionmaker[AsyncSession],
    client: object,
    merchant_id: str,
    *,
    now: datetime,
    limit: int = 200,
    provider: Provider | None = None,
) -> int:
    """Fetch updates since the saved cursor (paged, at the client's pace) and apply them. Returns how many.

    The cursor is the provider's own update time of the newest update seen (minus a small overlap,
    re-applied harmlessly), so the hub's clock and the provider's need not agree.
    """
    connector = connector_for(provider) if provider is not None else _default_intake()
    intake = _intake(connector)
    async with sessions() as session:
        cursor = await poll_page_cursor(session, merchant_id, connector.provider)
        registry = await registry_for(session, merchant_id, default_registry())
    since = cursor - POLL_OVERLAP if cursor is not None else None
    newest = cursor
    applied = 0
    page = 1
    while True:
        result = await intake.poll_page(client, page=page, limit=limit, since=since)
        async with sessions() as session, session.begin():
            for item in result.items:
                await apply_update(
                    session, merchant_id, item, registry=registry, source="poll", now=now, provider=connector.provider
                )
            if result.seen is not None and (newest is None or result.seen > newest):
                newest = result.seen
            applied += len(result.items)
            if newest is not None and newest != cursor:
                connection = await session.scalar(
                    select(ConnectionRow).where(
                        ConnectionRow.merchant_id == merchant_id, ConnectionRow.provider == connector.id
                    )
                )
                if connection is not None:
                    connection.poll_cursor = newest
        if not result.has_more:
            return applied
        page += 1
