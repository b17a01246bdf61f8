"""Transit statistics in the database: refreshed by the worker from delivered parcels, read per page of shipments."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.db.tables import ShipmentRow, TransitStatRow
from parcelsync.expected.transit import ExpectedDelivery, TransitStat, compute_stats, expected_delivery, transit_days

HISTORY_DAYS = 365


def shipped_on(row: Any) -> date | None:
    """When the parcel left: its ship date, else the day it was registered."""
    if row.ship_date is not None:
        return row.ship_date  # type: ignore[no-any-return]
    created = getattr(row, "created_at", None)
    return created.date() if created is not None else None


async def refresh_transit_stats(session: AsyncSession, merchant_id: str, *, now: datetime, min_samples: int) -> int:
    """Recompute the merchant's lane and carrier statistics from the last year's deliveries; returns how many."""
    rows = await session.execute(
        select(
            ShipmentRow.carrier,
            ShipmentRow.destination_country,
            ShipmentRow.ship_date,
            ShipmentRow.created_at,
            ShipmentRow.delivered_at,
        ).where(
            ShipmentRow.merchant_id == merchant_id,
            ShipmentRow.deleted_at.is_(None),
            ShipmentRow.status == "delivered",
            ShipmentRow.delivered_at.is_not(None),
            ShipmentRow.delivered_at >= now - timedelta(days=HISTORY_DAYS),
        )
    )
    samples = []
    for row in rows:
        start = shipped_on(row)
        days = transit_days(start, row.delivered_at.date()) if start is not None else None
        if days is not None:
            samples.append((row.carrier, row.destination_country, days))
    stats = compute_stats(samples, min_samples=min_samples)
    await session.execute(delete(TransitStatRow).where(TransitStatRow.merchant_id == merchant_id))
    if stats:
        await session.execute(
            insert(TransitStatRow),
            [
                {
                    "merchant_id": merchant_id,
                    "carrier": s.carrier,
                    "destination_country": s.destination_country,
                    "samples": s.samples,
                    "median_days": s.median_days,
                    "p90_days": s.p90_days,
                    "refreshed_at": now,
                }
                for s in stats
            ],
        )
    return len(stats)


async def load_stats(session: AsyncSession, merchant_id: str) -> dict[tuple[str, str], TransitStat]:
    rows = await session.scalars(select(TransitStatRow).where(TransitStatRow.merchant_id == merchant_id))
    return {
        (r.carrier, r.destination_country): TransitStat(
            r.carrier, r.destination_country, r.samples, r.median_days, r.p90_days
        )
        for r in rows
    }


async def expected_for(session: AsyncSession, merchant_id: str, rows: Iterable[Any]) -> dict[int, ExpectedDelivery]:
    """Each shipment's expected window, by id (one query for the merchant's statistics)."""
    stats = await load_stats(session, merchant_id)
    return {r.id: expected_delivery(shipped_on(r), r.carrier, r.destination_country, stats) for r in rows}
