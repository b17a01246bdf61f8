"""A sample order for the tracking page (demo, tests, screenshot, benchmark): two parcels of one order.

One parcel was delivered after a failed attempt, the other is held at customs (an exception); each has a
timeline. A second merchant gets an order with the same number and another buyer (tenancy checks).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.db.queries.tracking_pages import save_page
from parcelsync.db.tables import CheckpointRow, ShipmentRow
from parcelsync.ingest.service import upsert_shipments

ORDER = "TP-1001"
EMAIL = "Olivia.Martin@Example.com"
DELIVERED_NUMBER = "1Z5R89390357567127"
EXCEPTION_NUMBER = "LX000000116CN"
BRANDING = {
    "display_name": "Northwind Goods",
    "logo_url": None,
    "accent_color": "#0b6e4f",
    "support_email": "help@northwind.example",
    "message": "Thank you for your order! Parcels from our Shenzhen warehouse take 7 to 12 days.",
}


@dataclass(frozen=True, slots=True)
class SampleOrder:
    merchant_id: str
    order_id: str
    email: str


def _timeline(shipped: datetime) -> dict[str, list[tuple[timedelta, str, str, str | None]]]:
    return {
        DELIVERED_NUMBER: [
            (
                timedelta(hours=2),
                "Shipper created a label, UPS has not received the package yet.",
                "Shenzhen, CN",
                "info_received",
            ),
            (timedelta(days=1), "Departed from facility", "Hong Kong, HK", "in_transit"),
            (timedelta(days=3), "Arrived at facility", "Louisville, KY, US", "in_transit"),
            (timedelta(days=4, hours=3), "Out for delivery today", "Brooklyn, NY, US", "out_for_delivery"),
            (
                timedelta(days=4, hours=9),
                "The receiver was not available for delivery. We'll make a second attempt the next business day.",
                "Brooklyn, NY, US",
                "failed_attempt",
            ),
            (timedelta(days=5, hours=5), "Delivered, front door", "Brooklyn, NY, US", "delivered"),
        ],
        EXCEPTION_NUMBER: [
            (timedelta(hours=5), "Posting / collection", "Shenzhen, CN", "info_received"),
            (timedelta(days=2), "Departure from outward office of exchange", "Guangzhou, CN", "in_transit"),
            (timedelta(days=6), "Held by customs: import duties unpaid", "New York, NY, US", "exception"),
        ],
    }


async def seed_sample(session: AsyncSession, merchant_id: str, *, other_merchant: str | None = None) -> SampleOrder:
    """Two parcels of order TP-1001 for `merchant_id` (with branding), idempotent; optionally a look-alike order."""
    shipped = datetime.now(UTC).replace(microsecond=0) - timedelta(days=8)
    delivered_at = shipped + timedelta(days=5, hours=5)
    base = {
        "order_id": ORDER,
        "customer_email": EMAIL,
        "customer_name": "Olivia Martin",
        "customer_phone": "+1 212 555 0199",
        "destination_country": "US",
        "ship_date": shipped.date().isoformat(),
    }
    items = [
        {
            **base,
            "tracking_number": DELIVERED_NUMBER,
            "fulfillment_id": "F-1",
            "title": "Linen shirt",
            "status": "delivered",
        },
        {
            **base,
            "tracking_number": EXCEPTION_NUMBER,
            "carrier": "china-post",
            "fulfillment_id": "F-2",
            "title": "Ceramic mug set",
            "status": "exception",
        },
    ]
    await upsert_shipments(session, merchant_id, items, source="sample")
    rows = (
        await session.scalars(
            select(ShipmentRow).where(ShipmentRow.merchant_id == merchant_id, ShipmentRow.order_id == ORDER)
        )
    ).all()
    timeline = _timeline(shipped)
    for row in rows:
        if row.tracking_number == DELIVERED_NUMBER:
            row.delivered_at = delivered_at
        have = set(
            (await session.scalars(select(CheckpointRow.description).where(CheckpointRow.shipment_id == row.id))).all()
        )
        for offset, text, where, status in timeline.get(row.tracking_number, []):
            if text not in have:
                session.add(
                    CheckpointRow(
                        shipment_id=row.id, time=shipped + offset, description=text, location=where, status=status
                    )
                )
    await save_page(session, merchant_id, dict(BRANDING))
    if other_merchant:
        await upsert_shipments(
            session,
            other_merchant,
            [
                {
                    "tracking_number": "1Z5R89390357567135",
                    "order_id": ORDER,
                    "fulfillment_id": "F-9",
                    "customer_email": "someone.else@example.org",
                    "title": "Other shop's order",
                    "status": "in_transit",
                }
            ],
            source="sample",
        )
    await session.flush()
    return SampleOrder(merchant_id, ORDER, EMAIL)
