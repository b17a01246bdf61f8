"""Shipments: create-or-update (single and batch), list with filters and cursors, read, patch, soft delete."""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.convertors import StringConvertor, register_url_convertor

from parcelsync.api.deps import MerchantDep, RuntimeDep, SessionDep
from parcelsync.api.errors import ApiError, not_found
from parcelsync.api.expected import shipment_out_with_expected, shipments_out
from parcelsync.api.params import MAX_ID, Rfc3339DateTime
from parcelsync.api.routes.sync import ShipmentDetailOut, shipment_detail
from parcelsync.api.schemas import BatchOut, ItemResultOut, ShipmentPageOut, ShipmentWriteOut
from parcelsync.connectors.carriers import default_registry
from parcelsync.db.queries import shipments as q
from parcelsync.domain.status import DeliveryStatus
from parcelsync.ingest.errors import FieldError, InvalidInput
from parcelsync.ingest.schema import ShipmentIn, ShipmentPatch
from parcelsync.ingest.service import delete_shipment, patch_shipment, upsert_shipments
from parcelsync.security.csv_export import export_shipments
from parcelsync.sync.shipment_listing import list_shipments as list_page

router = APIRouter(prefix="/v1/shipments", tags=["shipments"])

ShipmentId = Annotated[int, Path(ge=1, le=MAX_ID)]


class ShipmentRef(StringConvertor):
    """`/v1/shipments/{shipment_id}` never matches its siblings' names, so `PATCH /v1/shipments/batch` is
    a 405 naming the methods `batch` has, not a 422 reading "batch" as an id (other non-ids stay a 422)."""

    regex = r"(?!(?:batch|export\.csv)$)[^/]+"


register_url_convertor("shipment_ref", ShipmentRef())
FILTER_PARAMS = frozenset(
    {
        "status",
        "carrier",
        "order_id",
        "payment_intent_id",
        "tracking_number_prefix",
        "customer_email",
        "destination_country",
        "updated_since",
    }
)
LIST_PARAMS = FILTER_PARAMS | {"sort", "limit", "cursor"}


class BatchIn(BaseModel):
    """Up to `batch_max_items` shipments; each is validated on its own, so one bad item rejects only itself."""

    model_config = ConfigDict(extra="forbid")

    items: list[Any] = Field(description="ShipmentIn objects")


def shipment_filter(
    status: DeliveryStatus | None = None,
    carrier: Annotated[str | None, Query(max_length=64)] = None,
    order_id: Annotated[str | None, Query(max_length=128)] = None,
    payment_intent_id: Annotated[str | None, Query(max_length=128)] = None,
    tracking_number_prefix: Annotated[str | None, Query(max_length=100)] = None,
    customer_email: Annotated[str | None, Query(max_length=320)] = None,
    destination_country: Annotated[str | None, Query(min_length=2, max_length=2)] = None,
    updated_since: Annotated[Rfc3339DateTime | None, Query(description="RFC 3339, e.g. 2026-03-01T08:00:00Z")] = None,
) -> q.ShipmentFilter:
    """The listing filters (shared by the JSON listing and the CSV export)."""
    return q.ShipmentFilter.of(
        carriers=default_registry(),
        status=status,
        carrier=carrier,
        order_id=order_id,
        payment_intent_id=payment_intent_id,
        tracking_number_prefix=tracking_number_prefix,
        customer_email=customer_email,
        destination_country=destination_country,
        updated_since=updated_since,
    )


ShipmentFilterDep = Annotated[q.ShipmentFilter, Depends(shipment_filter)]


def reject_unknown_params(request: Request, allowed: frozenset[str]) -> None:
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise InvalidInput([FieldError(name, "unknown query parameter") for name in unknown])


@router.post(
    "",
    response_model=ShipmentWriteOut,
    responses={201: {"model": ShipmentWriteOut, "description": "created"}, 200: {"description": "updated/unchanged"}},
)
async def upsert_one(body: ShipmentIn, response: Response, merchant: MerchantDep, session: SessionDep) -> Any:
    """Create or update the shipment with this (carrier, tracking_number); the same body twice changes nothing."""
    (result,) = await upsert_shipments(session, merchant.id, [body])
    if result.status == "rejected":
        raise InvalidInput(result.errors)
    row = await q.get_shipment(session, merchant.id, result.id) if result.id is not None else None
    if row is None:
        raise not_found("shipment")
    response.status_code = 201 if result.status == "created" else 200
    return ShipmentWriteOut(result=result.status, id=row.id, shipment=await shipment_out_with_expected(session, row))


@router.post("/batch", response_model=BatchOut, responses={413: {"description": "too many items"}})
async def upsert_batch(body: BatchIn, merchant: MerchantDep, session: SessionDep, runtime: RuntimeDep) -> BatchOut:
    """Create or update many shipments; a result per item (created, updated, unchanged or rejected with reasons)."""
    limit = runtime.settings.batch_max_items
    if len(body.items) > limit:
        raise ApiError(413, f"at most {limit} items per batch", fields=[FieldError("items", f"at most {limit} items")])
    results = await upsert_shipments(session, merchant.id, body.items)
    counts = Counter(r.status for r in results)
    summary = {k: counts.get(k, 0) for k in ("created", "updated", "unchanged", "rejected")}
    return BatchOut(summary=summary, results=[ItemResultOut.of(r) for r in results])


@router.get("", response_model=ShipmentPageOut)
async def list_shipments(
    request: Request,
    merchant: MerchantDep,
    session: SessionDep,
    filters: ShipmentFilterDep,
    sort: q.SortOrder = "id",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> ShipmentPageOut:
    """Live shipments, filtered; follow `next_cursor` (same filters) until it is null to see every row once."""
    reject_unknown_params(request, LIST_PARAMS)
    page = await list_page(session, merchant.id, filters, limit=limit, cursor=cursor, sort=sort)
    return ShipmentPageOut(items=await shipments_out(session, page.items), next_cursor=page.next_cursor)


@router.get(
    "/export.csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "CSV, streamed"}},
)
async def export_csv(
    request: Request, merchant: MerchantDep, runtime: RuntimeDep, filters: ShipmentFilterDep
) -> StreamingResponse:
    """Every live shipment matching the filters as CSV (cells that could start a formula get a leading ')."""
    reject_unknown_params(request, FILTER_PARAMS)
    return StreamingResponse(
        export_shipments(runtime.sessions, merchant.id, filters),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="shipments.csv"'},
    )


@router.get("/{shipment_id:shipment_ref}", response_model=ShipmentDetailOut)
async def get_one(shipment_id: ShipmentId, merchant: MerchantDep, session: SessionDep) -> ShipmentDetailOut:
    """One shipment, with its sync state at each destination."""
    row = await q.get_shipment(session, merchant.id, shipment_id)
    if row is None:
        raise not_found("shipment")
    return await shipment_detail(session, row)


@router.patch("/{shipment_id:shipment_ref}", response_model=ShipmentWriteOut)
async def patch_one(
    shipment_id: ShipmentId, body: ShipmentPatch, merchant: MerchantDep, session: SessionDep
) -> ShipmentWriteOut:
    """Change some fields; an explicit null clears an optional field."""
    outcome = await patch_shipment(session, merchant.id, shipment_id, body)
    if outcome is None:
        raise not_found("shipment")
    row, changed = outcome
    shipment = await shipment_out_with_expected(session, row)
    return ShipmentWriteOut(result="updated" if changed else "unchanged", id=row.id, shipment=shipment)


@router.delete("/{shipment_id:shipment_ref}", status_code=204)
async def delete_one(shipment_id: ShipmentId, merchant: MerchantDep, session: SessionDep) -> Response:
    """Soft-delete: the shipment disappears from listings and its removal is synced to the providers."""
    if await delete_shipment(session, merchant.id, shipment_id) is None:
        raise not_found("shipment")
    return Response(status_code=204)
