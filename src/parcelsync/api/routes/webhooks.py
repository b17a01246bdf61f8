"""Inbound provider webhooks. TrackingMore's carry their own signature: no API token is needed."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse

from parcelsync.api.deps import RuntimeDep
from parcelsync.api.errors import error_response
from parcelsync.db.base import utcnow
from parcelsync.db.engine import unit_of_work
from parcelsync.sync.statuses import WebhookRejected, receive_webhook

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])


@router.post(
    "/trackingmore/{merchant_id}",
    responses={401: {"description": "signature missing, wrong or too old"}, 404: {"description": "unknown merchant"}},
)
async def trackingmore(
    merchant_id: Annotated[str, Path(max_length=64)], request: Request, runtime: RuntimeDep
) -> JSONResponse:
    """A TrackingMore v2 webhook: verified with the merchant's account email, applied once, answered fast."""
    body = await request.body()
    try:
        async with unit_of_work(runtime.sessions) as session:
            applied = await receive_webhook(
                session, runtime.cipher, merchant_id, body,
                max_age_s=runtime.settings.webhook_max_age_s, now=utcnow(),
            )
    except WebhookRejected as exc:
        return error_response(exc.status, exc.message)
    if applied is None:
        return JSONResponse({"ok": True, "duplicate": True})
    return JSONResponse(
        {
            "ok": True,
            "shipment_id": applied.shipment_id,
            "status_changed": applied.status_changed,
            "new_checkpoints": applied.new_checkpoints,
        }
    )
