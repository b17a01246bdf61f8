"""Shipments: list with search, filters and keyset pages; detail with timeline, history and per-destination state."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import HTMLResponse, Response

from parcelsync.connectors.carriers import default_registry
from parcelsync.db.queries.shipment_filter import DestinationFilter, ShipmentFilter
from parcelsync.domain.provider import Provider
from parcelsync.domain.status import DeliveryStatus
from parcelsync.expected.store import expected_for
from parcelsync.web import queries, search
from parcelsync.web.app import PREFIX, Page, db, page, post_page, render

router = APIRouter()

DESTINATION_CHOICES = [str(DestinationFilter(p, s)) for p in Provider for s in queries.SYNC_STATES]


@dataclass(frozen=True, slots=True)
class ListForm:
    """The list form's fields as given (unknown choices dropped), echoed into the form and the page links."""

    q: str
    status: str
    carrier: str
    destination: str

    def to_filter(self) -> ShipmentFilter:
        return ShipmentFilter.of(
            carriers=default_registry(),
            search=self.q,
            status=DeliveryStatus(self.status) if self.status else None,
            carrier=self.carrier,
            destination=DestinationFilter.parse(self.destination),
        )


def _form(request: Request) -> ListForm:
    q = request.query_params
    status = q.get("status", "")
    destination = q.get("destination", "")
    return ListForm(
        q=q.get("q", "").strip()[:200],
        status=status if status in {s.value for s in DeliveryStatus} else "",
        carrier=q.get("carrier", "").strip()[:64],
        destination=destination if destination in DESTINATION_CHOICES else "",
    )


@router.get("/shipments", response_class=HTMLResponse)
async def shipment_list(
    request: Request, pg: Page = Depends(page), session: AsyncSession = Depends(db)
) -> HTMLResponse:
    form = _form(request)
    if pg.merchant_id is None:
        return render(request, "empty.html", pg)
    params = request.query_params
    result = await search.shipment_page(
        session, pg.merchant_id, form.to_filter(), after=params.get("after"), before=params.get("before")
    )
    template = "_shipment_rows.html" if request.headers.get("HX-Target") == "shipment-results" else "shipments.html"
    return render(
        request,
        template,
        pg,
        nav="shipments",
        flt=form,
        result=result,
        statuses=[s.value for s in DeliveryStatus],
        carriers=await search.carriers_in_use(session, pg.merchant_id),
        destinations=DESTINATION_CHOICES,
    )


@router.get("/shipments/{shipment_id}", response_class=HTMLResponse)
async def shipment_page(
    shipment_id: int, request: Request, pg: Page = Depends(page), session: AsyncSession = Depends(db)
) -> HTMLResponse:
    detail = await search.shipment_detail(session, pg.merchant_id, shipment_id) if pg.merchant_id else None
    if detail is None:
        return render(request, "not_found.html", pg, status_code=404, nav="shipments", what="shipment")
    expected = (await expected_for(session, detail.shipment.merchant_id, [detail.shipment]))[detail.shipment.id]
    return render(request, "shipment.html", pg, nav="shipments", detail=detail, expected=expected)


@router.post("/targets/{target_id}/retry", response_class=HTMLResponse)
async def retry_one(
    target_id: int, request: Request, pg: Page = Depends(post_page), session: AsyncSession = Depends(db)
) -> Response:
    """Re-enqueue one target; htmx swaps in the refreshed destination card, plain forms go back."""
    if pg.merchant_id is None or not await queries.retry_target(session, pg.merchant_id, target_id):
        return render(request, "not_found.html", pg, status_code=404, what="retryable target")
    shipment_id = request.query_params.get("shipment")
    if request.headers.get("HX-Request") and shipment_id and shipment_id.isdigit():
        detail = await search.shipment_detail(session, pg.merchant_id, int(shipment_id))
        if detail is not None:
            dest = next((d for d in detail.destinations if d.target and d.target.id == target_id), None)
            if dest is not None:
                return render(
                    request,
                    "_destination.html",
                    pg,
                    d=dest,
                    shipment=detail.shipment,
                    flash="Queued for retry",
                    poll=True,
                )
    back = f"{PREFIX}/shipments/{shipment_id}" if shipment_id and shipment_id.isdigit() else f"{PREFIX}/problems"
    return Response(status_code=303, headers={"Location": back})


@router.get("/shipments/{shipment_id}/destinations/{provider}", response_class=HTMLResponse)
async def destination_card(
    shipment_id: int, provider: str, request: Request, pg: Page = Depends(page), session: AsyncSession = Depends(db)
) -> HTMLResponse:
    """One destination card, polled by htmx after a retry until the target leaves `pending`."""
    detail = await search.shipment_detail(session, pg.merchant_id, shipment_id) if pg.merchant_id else None
    dest = next((d for d in detail.destinations if d.provider == provider), None) if detail else None
    if detail is None or dest is None:
        return render(request, "not_found.html", pg, status_code=404, what="destination")
    poll = request.query_params.get("poll") == "1"
    return render(request, "_destination.html", pg, d=dest, shipment=detail.shipment, flash=None, poll=poll)
