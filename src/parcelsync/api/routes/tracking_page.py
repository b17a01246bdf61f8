"""The merchant's buyer tracking page settings: branding, embedding origins, CORS origins, tracking_page_links."""

from __future__ import annotations

from fastapi import APIRouter

from parcelsync.api.deps import ActorDep, MerchantDep, MerchantPath, RuntimeDep, SessionDep
from parcelsync.api.errors import ApiError
from parcelsync.db.queries import tracking_pages as q
from parcelsync.ingest.errors import FieldError
from parcelsync.tracking_page.config import LinksNeedBaseUrl, TrackingPageIn, TrackingPageOut, page_out, save_config

router = APIRouter(prefix="/v1/merchants", tags=["tracking page"])


@router.get("/{merchant_id}/tracking-page", response_model=TrackingPageOut, dependencies=[MerchantPath])
async def get_tracking_page(merchant: MerchantDep, session: SessionDep, runtime: RuntimeDep) -> TrackingPageOut:
    """The merchant's tracking page settings (defaults until set)."""
    return page_out(merchant.id, await q.get_page(session, merchant.id), runtime.settings)


@router.put(
    "/{merchant_id}/tracking-page",
    response_model=TrackingPageOut,
    dependencies=[MerchantPath],
    responses={422: {"description": "invalid field, or tracking_page_links without PARCELSYNC_PUBLIC_BASE_URL"}},
)
async def put_tracking_page(
    body: TrackingPageIn, merchant: MerchantDep, session: SessionDep, runtime: RuntimeDep, actor: ActorDep
) -> TrackingPageOut:
    """Set the tracking page; turning `tracking_page_links` on or off resends the store and gateway targets."""
    try:
        row = await save_config(session, runtime.settings, merchant.id, body, actor=actor)
    except LinksNeedBaseUrl as exc:
        raise ApiError(422, str(exc), fields=[FieldError("tracking_page_links", str(exc))]) from exc
    return page_out(merchant.id, row, runtime.settings)
