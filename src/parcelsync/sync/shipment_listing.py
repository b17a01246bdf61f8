"""Listing shipments for the API, the dashboard and the CLI: the one filter, with its destination resolved.

`db.queries.shipments.list_shipments` pages and filters on shipment columns; a destination filter is
turned into SQL here by the destinations read model, so every caller sees the same shipments.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.db.queries import shipments as q
from parcelsync.db.queries.shipment_filter import ShipmentFilter, SortOrder
from parcelsync.sync.destinations import destination_condition


async def list_shipments(
    session: AsyncSession,
    merchant_id: str,
    filters: ShipmentFilter = ShipmentFilter(),
    *,
    limit: int = 100,
    cursor: str | None = None,
    before: str | None = None,
    sort: SortOrder = "id",
    newest_first: bool = False,
) -> q.Page:
    """One page of the merchant's live shipments matching `filters` (see `db.queries.shipments.list_shipments`)."""
    destination = (
        await destination_condition(session, merchant_id, filters.destination) if filters.destination else None
    )
    return await q.list_shipments(
        session, merchant_id, filters, limit=limit, cursor=cursor, before=before, sort=sort,
        newest_first=newest_first, destination=destination,
    )
