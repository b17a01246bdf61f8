"""CSV export that spreadsheets cannot turn into formulas, streamed page by page.

A cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with an apostrophe
(OWASP "CSV injection"), so Excel, LibreOffice and Google Sheets show it as text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Iterable
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from parcelsync.db.queries import shipments as q
from parcelsync.db.tables import ShipmentRow

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PAGE_ROWS = 500
COLUMNS = (
    "id", "tracking_number", "carrier", "status", "substatus", "tracking_url", "order_id", "fulfillment_id",
    "payment_intent_id", "title", "logistics_channel", "customer_name", "customer_email", "customer_phone",
    "destination_country", "ship_date", "last_event", "delivered_at", "created_at", "updated_at",
)


def escape_cell(value: object) -> str:
    """A value as a CSV cell that cannot start a formula."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_line(cells: Iterable[object]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow([escape_cell(c) for c in cells])
    return out.getvalue()


def shipment_cells(row: ShipmentRow) -> list[object]:
    return [getattr(row, column) for column in COLUMNS]


async def export_shipments(
    sessions: async_sessionmaker[AsyncSession], merchant_id: str, filters: q.ShipmentFilter
) -> AsyncIterator[str]:
    """The header, then every matching live shipment in id order, one short read transaction per page."""
    yield csv_line(COLUMNS)
    cursor: str | None = None
    while True:
        async with sessions() as session:
            page = await q.list_shipments(session, merchant_id, filters, limit=PAGE_ROWS, cursor=cursor)
        for row in page.items:
            yield csv_line(shipment_cells(row))
        if page.next_cursor is None:
            return
        cursor = page.next_cursor
