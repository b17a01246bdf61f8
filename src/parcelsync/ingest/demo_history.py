"""A delivery history for the demo merchant: parcels delivered over the last months on a few lanes, so the
expected delivery dates (and "late" alerts) have something to learn from on the first run."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.db.tables import ShipmentRow
from parcelsync.ingest.demo import s10_number
from parcelsync.ingest.service import upsert_shipments

# (carrier, destination, typical transit days): the spread around them gives the median and 90th percentile.
LANES = (("china-post", "US", 9), ("china-post", "GB", 7), ("china-post", "DE", 8), ("royal-mail", "GB", 2))
PER_LANE = 12


def history(today: date, seed: int = 7) -> list[tuple[dict[str, str], datetime]]:
    """(shipment, delivered at) pairs; the same on every run."""
    rng = random.Random(seed)
    out = []
    for lane, (carrier, country, typical) in enumerate(LANES):
        for i in range(PER_LANE):
            shipped = today - timedelta(days=30 + rng.randrange(60))
            delivered = shipped + timedelta(days=max(1, typical + rng.choice((-2, -1, 0, 0, 0, 1, 1, 2, 4))))
            service, origin = ("RR", "GB") if carrier == "royal-mail" else ("LX", "CN")
            item = {
                "tracking_number": s10_number(90_000_000 + lane * 100 + i, service, origin),
                "carrier": carrier,
                "destination_country": country,
                "ship_date": shipped.isoformat(),
                "status": "delivered",
                "title": "Past order",
            }
            out.append((item, datetime.combine(delivered, time(15, 0), tzinfo=UTC)))
    return out


async def seed_history(session: AsyncSession, merchant_id: str) -> int:
    """Upsert the history (idempotent) and set each parcel's delivery time; returns how many parcels it has."""
    pairs = history(date.today())
    results = await upsert_shipments(session, merchant_id, [item for item, _ in pairs], source="demo")
    for result, (_, delivered_at) in zip(results, pairs, strict=True):
        if result.id is not None:
            await session.execute(
                update(ShipmentRow)
                .where(ShipmentRow.id == result.id, ShipmentRow.delivered_at.is_(None))
                .values(delivered_at=delivered_at)
            )
    return len(pairs)
