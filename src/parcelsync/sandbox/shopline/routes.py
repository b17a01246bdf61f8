"""The SHOPLINE sandbox's API routes: update_tracking for both versions, by path or by Host header.

Path-based: `/{handle}/admin/openapi/{version}/...` (one port serves every store).
Host-based: `/admin/openapi/{version}/...` with `Host: {handle}.myshopline.com`.
Versions before v20260301 answer on `orders/{order_id}/fulfillments/{fulfillment_id}/...`,
v20260301 and later on `fulfillments/{order_id}/{fulfillment_id}/...`; the other shape is a 404.

Checks run in this order: route and store (404), token (401), leaky bucket (429), store frozen
(402) or locked (423), Content-Type and JSON (400), order and fulfillment (404), body (422).
"""

from __future__ import annotations

import hmac
import re
import uuid

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from parcelsync.sandbox.shopline import errors
from parcelsync.sandbox.shopline.errors import ShoplineError, error_response
from parcelsync.sandbox.shopline.models import LIST_API_SINCE, FulfillmentRecord, ShoplineState, StoreRecord
from parcelsync.sandbox.shopline.validation import (
    check_content_type,
    parse_json_object,
    update_v20250601,
    update_v20260301,
)
from parcelsync.sandbox.shopline.webhooks import emit

router = APIRouter()

_VERSION = re.compile(r"^v\d{8}$")
_HOST_SUFFIX = ".myshopline.com"
_V1 = "/admin/openapi/{version}/orders/{order_id}/fulfillments/{fulfillment_id}/update_tracking.json"
_V2 = "/admin/openapi/{version}/fulfillments/{order_id}/{fulfillment_id}/update_tracking.json"


def new_trace_id() -> str:
    return uuid.uuid4().hex


def handle_from_host(host: str | None) -> str | None:
    """The store handle of `{handle}.myshopline.com` (or `{handle}.<any domain>`); None for a bare host or IP."""
    name = (host or "").split(":", 1)[0].strip().lower().rstrip(".")
    if name.endswith(_HOST_SUFFIX):
        return name[: -len(_HOST_SUFFIX)] or None
    labels = name.split(".")
    if len(labels) < 2 or all(label.isdigit() for label in labels):
        return None
    return labels[0]


def _store(state: ShoplineState, handle: str | None) -> StoreRecord:
    store = state.stores.get(handle) if handle else None
    if store is None:
        raise ShoplineError(404, f"{errors.NOT_FOUND}: no store {handle!r}" if handle else errors.NOT_FOUND)
    return store


def _authorize(store: StoreRecord, header: str | None) -> None:
    scheme, _, token = (header or "").strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or not hmac.compare_digest(token.encode(), store.access_token.encode()):
        raise ShoplineError(401, errors.UNAUTHORIZED)
    if store.token_expired:
        raise ShoplineError(401, errors.TOKEN_EXPIRED)


def _fulfillment(store: StoreRecord, order_id: str, fulfillment_id: str) -> FulfillmentRecord:
    if order_id not in store.orders and not store.auto_create:
        raise ShoplineError(404, f"{errors.NOT_FOUND}: order {order_id} does not exist")
    record = store.fulfillment(order_id, fulfillment_id)
    if record is None:
        raise ShoplineError(404, f"{errors.NOT_FOUND}: fulfillment {fulfillment_id} of order {order_id} does not exist")
    return record


async def update_tracking(
    request: Request, handle: str | None, version: str, order_id: str, fulfillment_id: str, *, list_api: bool
) -> Response:
    """Validate and apply one update_tracking call; answer `{fulfillment: {...}}` with a traceId."""
    trace_id = new_trace_id()
    state: ShoplineState = request.app.state.shopline
    try:
        if not _VERSION.match(version) or (version >= LIST_API_SINCE) != list_api:
            raise ShoplineError(404, errors.NOT_FOUND)
        store = _store(state, handle)
        _authorize(store, request.headers.get("authorization"))
        if not state.admit(store):
            raise ShoplineError(429, errors.TOO_MANY)
        if store.frozen:
            raise ShoplineError(402, errors.STORE_FROZEN)
        if store.locked:
            raise ShoplineError(423, errors.STORE_LOCKED)
        check_content_type(request.headers.get("content-type"))
        body = parse_json_object(await request.body())
        record = _fulfillment(store, order_id, fulfillment_id)
        update = update_v20260301(body) if list_api else update_v20250601(body)
    except ShoplineError as error:
        return error_response(error, trace_id)
    record.set_tracking(update.entries, update.notify_customer)
    await emit(state, store, "fulfillments/update", record.to_api(LIST_API_SINCE))
    return JSONResponse({"fulfillment": record.to_api(version)}, headers={"traceId": trace_id})


@router.post("/{handle}" + _V1)
async def update_tracking_v20250601_by_path(
    request: Request, handle: str, version: str, order_id: str, fulfillment_id: str
) -> Response:
    return await update_tracking(request, handle, version, order_id, fulfillment_id, list_api=False)


@router.post("/{handle}" + _V2)
async def update_tracking_by_path(
    request: Request, handle: str, version: str, order_id: str, fulfillment_id: str
) -> Response:
    return await update_tracking(request, handle, version, order_id, fulfillment_id, list_api=True)


@router.post(_V1)
async def update_tracking_v20250601_by_host(
    request: Request, version: str, order_id: str, fulfillment_id: str
) -> Response:
    handle = handle_from_host(request.headers.get("host"))
    return await update_tracking(request, handle, version, order_id, fulfillment_id, list_api=False)


@router.post(_V2)
async def update_tracking_by_host(request: Request, version: str, order_id: str, fulfillment_id: str) -> Response:
    handle = handle_from_host(request.headers.get("host"))
    return await update_tracking(request, handle, version, order_id, fulfillment_id, list_api=True)
