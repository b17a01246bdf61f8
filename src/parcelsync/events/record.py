"""The one writer of events: rows in the caller's transaction, fanned out to the merchant's webhook endpoints.

The fan-out happens here, in the same transaction, so an event and its pending deliveries commit (or
roll back) together: a webhook can never announce a change that did not happen, nor miss one that did.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.db.base import utcnow
from parcelsync.db.tables import EventRow, OutboundDeliveryRow, WebhookEndpointRow
from parcelsync.events.types import EventType, matches

_EVENTS = cast(Table, EventRow.__table__)
_E = _EVENTS.c


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event about to be recorded; `subject` names what it is about when that is not a shipment."""

    type: EventType
    data: dict[str, Any] = field(default_factory=dict)
    shipment_id: int | None = None
    subject: str | None = None


_DELIVERIES = cast(Table, OutboundDeliveryRow.__table__)
_Endpoints = Sequence[Row[int, list[str]]]


def _event_rows(merchant_id: str, events: Sequence[NewEvent], now: datetime) -> list[dict[str, Any]]:
    return [
        {
            "merchant_id": merchant_id,
            "type": e.type.value,
            "shipment_id": e.shipment_id,
            "subject": e.subject,
            "data": e.data,
            "created_at": now,
        }
        for e in events
    ]


async def _endpoints(session: AsyncSession, merchant_id: str) -> _Endpoints:
    """The merchant's enabled webhook endpoints (id, subscribed event types)."""
    return (
        await session.execute(
            select(WebhookEndpointRow.id, WebhookEndpointRow.event_types).where(
                WebhookEndpointRow.merchant_id == merchant_id, WebhookEndpointRow.enabled.is_(True)
            )
        )
    ).all()


async def _fan_out(
    session: AsyncSession, merchant_id: str, ids: Sequence[int], events: Sequence[NewEvent],
    endpoints: _Endpoints, now: datetime,
) -> None:
    """One pending delivery per event and endpoint subscribed to it."""
    deliveries = [
        {"merchant_id": merchant_id, "endpoint_id": endpoint.id, "event_id": event_id, "state": "pending",
         "attempts": 0, "next_attempt_at": now, "queued_at": now, "created_at": now}
        for event_id, event in zip(ids, events, strict=True)
        for endpoint in endpoints
        if matches(event.type.value, endpoint.event_types)
    ]
    if deliveries:
        await session.execute(insert(_DELIVERIES), deliveries)


async def record_events(
    session: AsyncSession, merchant_id: str, events: Sequence[NewEvent], *, now: datetime | None = None
) -> list[int]:
    """Insert the events (in order) and one pending delivery per event and subscribed endpoint; returns the ids."""
    if not events:
        return []
    now = now or utcnow()
    result = await session.execute(
        insert(_EVENTS).returning(_EVENTS.c.id, sort_by_parameter_order=True), _event_rows(merchant_id, events, now)
    )
    ids = [r.id for r in result]
    await _fan_out(session, merchant_id, ids, events, await _endpoints(session, merchant_id), now)
    return ids


async def write_events(
    session: AsyncSession, merchant_id: str, events: Sequence[NewEvent], *, now: datetime | None = None
) -> None:
    """`record_events` for a caller that needs no ids (a bulk write): the same rows and deliveries.

    The ids come back (RETURNING) only when an endpoint subscribes to one of the events, since a
    delivery names its event; otherwise the events go in as one plain executemany.
    """
    if not events:
        return
    now = now or utcnow()
    endpoints = await _endpoints(session, merchant_id)
    types = {e.type.value for e in events}
    if any(matches(t, endpoint.event_types) for t in types for endpoint in endpoints):
        result = await session.execute(
            insert(_EVENTS).returning(_EVENTS.c.id, sort_by_parameter_order=True), _event_rows(merchant_id, events, now)
        )
        await _fan_out(session, merchant_id, [r.id for r in result], events, endpoints, now)
        return
    await session.execute(insert(_EVENTS), _event_rows(merchant_id, events, now))


async def record_event(
    session: AsyncSession,
    merchant_id: str,
    type: EventType,
    data: dict[str, Any] | None = None,
    *,
    shipment_id: int | None = None,
    subject: str | None = None,
    now: datetime | None = None,
) -> int:
    """Record one event in the caller's transaction; returns its id."""
    event = NewEvent(type, data or {}, shipment_id, subject)
    return (await record_events(session, merchant_id, [event], now=now))[0]


async def last_of(session: AsyncSession, merchant_id: str, subject: str, types: Sequence[EventType]) -> str | None:
    """The type of the newest of `types` recorded for `subject` (None when there is none)."""
    stmt = (
        select(_E.type)
        .where(_E.merchant_id == merchant_id, _E.subject == subject, _E.type.in_([t.value for t in types]))
        .order_by(_E.id.desc())
        .limit(1)
    )
    found: str | None = await session.scalar(stmt)
    return found


async def record_transition(
    session: AsyncSession,
    merchant_id: str,
    subject: str,
    type: EventType,
    pair: tuple[EventType, EventType],
    data: dict[str, Any] | None = None,
    *,
    shipment_id: int | None = None,
    now: datetime | None = None,
) -> int | None:
    """Record `type` (one of the `(opened, closed)` pair) only if it changes the subject's state.

    So a connection rate-limited ten times in a row is paused once, and a target is "recovered" only
    after it had failed. Returns the event id, or None when nothing changed.
    """
    opened, closed = pair
    last = await last_of(session, merchant_id, subject, pair)
    if type == closed and last != opened.value:
        return None
    if type == opened and last == opened.value:
        return None
    return await record_event(session, merchant_id, type, data, shipment_id=shipment_id, subject=subject, now=now)
