"""What the tracking page shows of an order, and the lookup by order number and e-mail.

Only what a buyer needs: carrier, tracking number, status, checkpoints (the carrier's own words), the item
title and dates. Never the address, phone, name, e-mail or payment data of the shipment.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.db.queries import tracking_pages as q
from parcelsync.db.tables import CheckpointRow, ShipmentRow
from parcelsync.domain.carriers import CarrierRegistry
from parcelsync.domain.status import DeliveryStatus
from parcelsync.expected.store import expected_for
from parcelsync.expected.transit import ExpectedDelivery
from parcelsync.tracking_page.progress import PROBLEM_STATUSES, Progress, progress_of

MAX_ORDER_NUMBER_CHARS = 128
MAX_EMAIL_CHARS = 320


@dataclass(frozen=True, slots=True)
class CheckpointView:
    time: datetime
    description: str
    location: str
    status: DeliveryStatus | None

    @property
    def problem(self) -> bool:
        return self.status in PROBLEM_STATUSES


@dataclass(frozen=True, slots=True)
class ExpectedWindow:
    """The days a parcel is expected to arrive between (the same day twice for one date)."""

    earliest: date
    latest: date


@dataclass(frozen=True, slots=True)
class ParcelView:
    carrier_code: str
    carrier_name: str
    carrier_url: str | None
    tracking_number: str
    title: str | None
    status: DeliveryStatus
    progress: Progress
    delivered_at: datetime | None
    expected_delivery: ExpectedWindow | None
    checkpoints: tuple[CheckpointView, ...]


@dataclass(frozen=True, slots=True)
class OrderView:
    order_number: str
    destination_country: str | None
    parcels: tuple[ParcelView, ...]


NO_ORDER = " "
"""Looked up for an empty order number, so a miss runs the same query: no stored order id is blank
(ingest strips them), and unlike NUL, PostgreSQL accepts it in text."""


def _digest(value: str) -> bytes:
    return hashlib.sha256(value.strip().lower().encode()).digest()


def email_matches(stored: str | None, given: str) -> bool:
    """Exact, case-insensitive, in constant time over the digests (no early exit on the first differing letter)."""
    return hmac.compare_digest(_digest(stored or "\x00"), _digest(given)) and bool(stored)


def normalise_order_number(value: str) -> str:
    return value.strip()


async def find_order(session: AsyncSession, merchant_id: str, order_number: str, email: str) -> str | None:
    """The order id when `order_number` and `email` both match a live parcel of this merchant, else None.

    Every miss (no such order, wrong e-mail, over-long input) runs the same query and the same comparison.
    """
    order = normalise_order_number(order_number)[:MAX_ORDER_NUMBER_CHARS]
    rows = await q.order_parcels(session, merchant_id, order or NO_ORDER)
    stored: list[str | None] = [row.customer_email for row in rows] or [None]
    matched = False
    for candidate in stored:
        matched |= email_matches(candidate, email[:MAX_EMAIL_CHARS])
    return order if matched and order and len(order_number.strip()) <= MAX_ORDER_NUMBER_CHARS else None


def _checkpoint(row: CheckpointRow) -> CheckpointView:
    status = DeliveryStatus.parse(row.status) if row.status else None
    return CheckpointView(row.time, row.description, row.location or "", status)


def parcel_view(
    row: ShipmentRow,
    checkpoints: list[CheckpointRow],
    registry: CarrierRegistry,
    expected: ExpectedWindow | None = None,
) -> ParcelView:
    """What the page shows of one parcel; `expected` is its expected delivery window, when one is known."""
    status = DeliveryStatus.parse(row.status)
    known = registry.resolve(row.carrier)
    return ParcelView(
        carrier_code=row.carrier,
        carrier_name=known.name if known else row.carrier,
        carrier_url=registry.tracking_url(row.carrier, row.tracking_number),
        tracking_number=row.tracking_number,
        title=row.title,
        status=status,
        progress=progress_of(status),
        delivered_at=row.delivered_at if status is DeliveryStatus.DELIVERED else None,
        expected_delivery=None if status is DeliveryStatus.DELIVERED else expected,
        checkpoints=tuple(_checkpoint(c) for c in checkpoints),
    )


def window_of(estimate: ExpectedDelivery | None) -> ExpectedWindow | None:
    """The page's window from the hub's estimate; none when the estimate has no dates."""
    if estimate is None or estimate.earliest is None or estimate.latest is None:
        return None
    return ExpectedWindow(estimate.earliest, estimate.latest)


async def load_order(
    session: AsyncSession, merchant_id: str, order_id: str, registry: CarrierRegistry
) -> OrderView | None:
    """The order's parcels with their checkpoints; None when the merchant has no live parcel of it."""
    rows = await q.order_parcels(session, merchant_id, order_id)
    if not rows:
        return None
    checkpoints = await q.checkpoints_of(session, [r.id for r in rows])
    expected = await expected_for(session, merchant_id, rows)
    parcels = tuple(parcel_view(r, checkpoints[r.id], registry, window_of(expected.get(r.id))) for r in rows)
    country = next((r.destination_country for r in rows if r.destination_country), None)
    return OrderView(order_id, country, parcels)
