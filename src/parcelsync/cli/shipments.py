"""`parcelsync shipments list|show`."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from parcelsync.cli.support import MerchantOpt, console, database, fail, load_settings, require_merchant, run
from parcelsync.connectors.carriers import default_registry
from parcelsync.db.engine import unit_of_work
from parcelsync.db.queries import shipments as shipment_queries
from parcelsync.domain.status import DeliveryStatus
from parcelsync.expected.store import expected_for
from parcelsync.expected.transit import describe
from parcelsync.sync.shipment_listing import list_shipments

shipments_app = typer.Typer(help="Shipments.", no_args_is_help=True)


@shipments_app.command("list")
def shipments_list(
    merchant: MerchantOpt,
    status: Annotated[DeliveryStatus | None, typer.Option()] = None,
    carrier: Annotated[str | None, typer.Option()] = None,
    order_id: Annotated[str | None, typer.Option()] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
    cursor: Annotated[str | None, typer.Option(help="next cursor printed by the previous page")] = None,
) -> None:
    """List a merchant's shipments, newest last, one page at a time."""
    filters = shipment_queries.ShipmentFilter.of(
        carriers=default_registry(), status=status, carrier=carrier, order_id=order_id
    )

    async def main() -> tuple[shipment_queries.Page, dict[int, Any]]:
        async with database(load_settings()) as sessions, unit_of_work(sessions) as session:
            await require_merchant(session, merchant)
            page = await list_shipments(session, merchant, filters, limit=limit, cursor=cursor)
            return page, await expected_for(session, merchant, page.items)

    try:
        page, windows = run(main)
    except shipment_queries.CursorError as exc:
        fail(str(exc))
    table = Table("id", "carrier", "tracking_number", "status", "order_id", "payment_intent_id", "updated", "expected")
    for s in page.items:
        updated = s.updated_at.isoformat(timespec="seconds")
        row = (str(s.id), s.carrier, s.tracking_number, s.status, s.order_id, s.payment_intent_id, updated)
        table.add_row(*row, describe(windows[s.id]))
    console.print(table)
    if page.next_cursor:
        console.print(f"next page: --cursor {page.next_cursor}")


@shipments_app.command("show")
def shipments_show(shipment_id: int, merchant: MerchantOpt) -> None:
    """Show one shipment."""

    async def main() -> dict[str, Any] | None:
        async with database(load_settings()) as sessions, unit_of_work(sessions) as session:
            row = await shipment_queries.get_shipment(session, merchant, shipment_id)
            if row is None:
                return None
            window = (await expected_for(session, merchant, [row]))[row.id]
            columns = {c.key: getattr(row, c.key) for c in row.__table__.columns}
            return {**columns, "expected_delivery": describe(window)}

    shown = run(main)
    if shown is None:
        fail(f"no shipment {shipment_id} for merchant {merchant!r}", code=1)
    table = Table("field", "value", show_header=False)
    for key, value in shown.items():
        table.add_row(key, "" if value is None else str(value))
    console.print(table)
