"""Inbound store webhooks (`POST /v1/webhooks/{store}/{merchant_id}`): signed by the store, no API token.

The answer is given as soon as the change is committed (verification and the database write
only); a payment reference the webhook lacks is looked up in the order afterwards, in the
background, through the store's API and its rate limit.
"""

from __future__ import annotations

from typing import Annotated

import httpx
from fastapi import APIRouter, BackgroundTasks, Path, Request
from fastapi.responses import JSONResponse

from parcelsync.api.deps import Runtime, RuntimeDep
from parcelsync.api.errors import error_response
from parcelsync.connectors.inbound import StoreSource
from parcelsync.connectors.registry import inbound_source
from parcelsync.db.base import utcnow
from parcelsync.db.engine import unit_of_work
from parcelsync.ingest.store.backfill import lookup_payment
from parcelsync.ingest.store.receive import StoreWebhookRejected, receive_store_webhook
from parcelsync.logging import get_logger
from parcelsync.providers.http import default_client

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])
log = get_logger("parcelsync.api.store_webhooks")


async def _payment_lookup(
    runtime: Runtime, http: httpx.AsyncClient | None, source: StoreSource, merchant_id: str, order_id: str
) -> None:
    """Look the order's payment reference up; a failure leaves "no payment intent" showing, never an error."""
    try:
        if http is not None:
            await lookup_payment(runtime.sessions, runtime.cipher, source, merchant_id, order_id, http=http)
            return
        async with default_client() as client:
            await lookup_payment(runtime.sessions, runtime.cipher, source, merchant_id, order_id, http=client)
    except Exception as exc:
        log.warning("payment_lookup_failed", merchant_id=merchant_id, order_id=order_id, error=type(exc).__name__)


@router.post(
    "/{store}/{merchant_id}",
    responses={
        400: {"description": "signed, but not the object its topic promises"},
        401: {"description": "signature missing or wrong"},
        404: {"description": "not a store source, or no such connection"},
    },
)
async def store_webhook(
    store: Annotated[str, Path(max_length=32)],
    merchant_id: Annotated[str, Path(max_length=64)],
    request: Request,
    runtime: RuntimeDep,
    background: BackgroundTasks,
) -> JSONResponse:
    """A store's webhook: verified with the connection's app secret, applied once per webhook id."""
    source = inbound_source(store)
    if source is None:
        return error_response(404, f"no webhooks for {store!r}")
    body = await request.body()
    try:
        async with unit_of_work(runtime.sessions) as session:
            received = await receive_store_webhook(
                session, runtime.cipher, source, merchant_id, body, request.headers, now=utcnow()
            )
    except StoreWebhookRejected as exc:
        return error_response(exc.status, exc.message)
    if received.applied is not None and received.applied.needs_payment and received.fulfillment is not None:
        http = getattr(request.app.state, "inbound_http", None)
        background.add_task(_payment_lookup, runtime, http, source, merchant_id, received.fulfillment.order_id)
    return JSONResponse(received.to_dict())
