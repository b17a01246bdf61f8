"""The SHOPLINE sandbox's read and subscription routes: orders.json, an order's fulfillments, webhooks.json.

Same checks and order as update_tracking (store 404, token 401, bucket 429, frozen 402 / locked 423),
by path (`/{handle}/admin/openapi/{version}/...`) or by Host header. Documented behaviour followed:
- `orders.json`: filters `ids` (at most 100), `created_at_min`/`created_at_max`, `updated_at_min`/
  `updated_at_max` (ISO 8601), `fulfillment_status` (`unshipped` (the default), `partial`,
  `shipped`; any other value: "fulfillment status value is illegal"), `limit` (default 50, at most
  100); cursor paging: a `Link` header `<...&page_info=...>; rel="next"` (and `rel="previous"`)
  when there is more; no `Link` on the last page. With `page_info` only `limit` is read (the cursor
  encodes the filters). Orders are returned oldest first and carry their `fulfillments`.
- `orders/{order_id}/fulfillments.json`: `{"fulfillments": [...]}`.
- `webhooks.json`: GET lists the app's subscriptions; POST `{"webhook": {address, api_version, topic}}`
  subscribes (address at most 255 characters; api_version v20240601 or later), and answers the
  existing subscription again for an identical (topic, address) pair; `DELETE webhooks/{id}.json`.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from parcelsync.sandbox.shopline import errors
from parcelsync.sandbox.shopline.errors import ShoplineError, error_response
from parcelsync.sandbox.shopline.models import ShoplineState, StoreRecord, Subscription
from parcelsync.sandbox.shopline.routes import _authorize, _store, handle_from_host, new_trace_id
from parcelsync.sandbox.shopline.validation import check_content_type, parse_json_object

router = APIRouter()

_VERSION = re.compile(r"^v\d{8}$")
MAX_LIMIT = 100
DEFAULT_LIMIT = 50
FULFILLMENT_STATUSES = ("unshipped", "partial", "shipped")
WEBHOOK_MIN_VERSION = "v20240601"
MAX_ADDRESS = 255


def _open(request: Request, handle: str | None, version: str) -> tuple[ShoplineState, StoreRecord]:
    state: ShoplineState = request.app.state.shopline
    if not _VERSION.match(version):
        raise ShoplineError(404, errors.NOT_FOUND)
    store = _store(state, handle)
    _authorize(store, request.headers.get("authorization"))
    if not state.admit(store):
        raise ShoplineError(429, errors.TOO_MANY)
    if store.frozen:
        raise ShoplineError(402, errors.STORE_FROZEN)
    if store.locked:
        raise ShoplineError(423, errors.STORE_LOCKED)
    return state, store


def _time(value: str | None, name: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ShoplineError(422, f"{name} must be an ISO 8601 date-time") from None
    if parsed.tzinfo is None:
        raise ShoplineError(422, f"{name} must carry a UTC offset")
    return parsed


def order_to_api(store: StoreRecord, order_id: str, version: str) -> dict[str, Any]:
    info = store.info(order_id)
    fulfillments = [r.to_api(version) for r in store.orders.get(order_id, {}).values()]
    updated = max([info.updated_at, *(f["updated_at"] for f in fulfillments)])
    payments = []
    if info.pay_channel_deal_id:
        payments.append({"pay_channel_deal_id": info.pay_channel_deal_id, "pay_status": "paid",
                         "pay_seq": f"P{zlib.crc32(info.pay_channel_deal_id.encode()):012d}"})
    return {
        "id": order_id, "email": info.email, "created_at": info.created_at, "updated_at": updated,
        "financial_status": "paid" if payments else "unpaid",
        "fulfillment_status": info.fulfillment_status if fulfillments else "unshipped",
        "payment_details": payments, "fulfillments": fulfillments,
    }


def _encode(cursor: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(cursor, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode(value: str) -> dict[str, Any]:
    try:
        cursor = json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise ShoplineError(400, "page_info is invalid") from None
    if not isinstance(cursor, dict) or not isinstance(cursor.get("filters"), dict):
        raise ShoplineError(400, "page_info is invalid")
    return cursor


def _limit(raw: str | None) -> int:
    try:
        limit = int(raw) if raw is not None else DEFAULT_LIMIT
    except ValueError:
        raise ShoplineError(422, "limit must be an integer") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise ShoplineError(422, f"limit must be between 1 and {MAX_LIMIT}")
    return limit


def _filters(query: Any) -> dict[str, Any]:
    status = query.get("fulfillment_status") or "unshipped"
    if status not in FULFILLMENT_STATUSES:
        raise ShoplineError(422, "fulfillment status value is illegal")
    ids = [i for i in (query.get("ids") or "").split(",") if i.strip()]
    if len(ids) > 100:
        raise ShoplineError(422, "ids supports at most 100 values")
    found: dict[str, Any] = {"fulfillment_status": status, "ids": [i.strip() for i in ids]}
    for name in ("created_at_min", "created_at_max", "updated_at_min", "updated_at_max"):
        moment = _time(query.get(name), name)
        found[name] = moment.isoformat() if moment else None
    return found


def _matches(order: dict[str, Any], filters: dict[str, Any]) -> bool:
    if filters["ids"] and order["id"] not in filters["ids"]:
        return False
    if not filters["ids"] and order["fulfillment_status"] != filters["fulfillment_status"]:
        return False
    for name, field_name, lower in (("created_at_min", "created_at", True), ("created_at_max", "created_at", False),
                                    ("updated_at_min", "updated_at", True), ("updated_at_max", "updated_at", False)):
        bound = filters.get(name)
        if bound is None:
            continue
        value, limit = datetime.fromisoformat(order[field_name]), datetime.fromisoformat(bound)
        if (value < limit) if lower else (value > limit):
            return False
    return True


def _link(request: Request, limit: int, cursor: dict[str, Any], rel: str) -> str:
    url = request.url.replace(query=urlencode({"limit": limit, "page_info": _encode(cursor)}))
    return f'<{url}>; rel="{rel}"'


async def list_orders(request: Request, handle: str | None, version: str) -> Response:
    trace_id = new_trace_id()
    try:
        _, store = _open(request, handle, version)
        query = request.query_params
        limit = _limit(query.get("limit"))
        if query.get("page_info"):
            cursor = _decode(query["page_info"])
            filters, start = cursor["filters"], int(cursor.get("start", 0))
        else:
            filters, start = _filters(query), 0
    except ShoplineError as error:
        return error_response(error, trace_id)
    matching = [o for o in (order_to_api(store, oid, version) for oid in list(store.orders)) if _matches(o, filters)]
    page = matching[start : start + limit]
    links = []
    if start > 0:
        links.append(_link(request, limit, {"filters": filters, "start": max(0, start - limit)}, "previous"))
    if start + limit < len(matching):
        links.append(_link(request, limit, {"filters": filters, "start": start + limit}, "next"))
    headers = {"traceId": trace_id}
    if links:
        headers["link"] = ", ".join(links)
    return JSONResponse({"orders": page}, headers=headers)


async def order_fulfillments(request: Request, handle: str | None, version: str, order_id: str) -> Response:
    trace_id = new_trace_id()
    try:
        _, store = _open(request, handle, version)
        if order_id not in store.orders:
            raise ShoplineError(404, f"{errors.NOT_FOUND}: order {order_id} does not exist")
    except ShoplineError as error:
        return error_response(error, trace_id)
    records = store.orders[order_id].values()
    return JSONResponse({"fulfillments": [r.to_api(version) for r in records]}, headers={"traceId": trace_id})


def _subscription_in(body: dict[str, Any]) -> tuple[str, str, str]:
    webhook = body.get("webhook")
    if not isinstance(webhook, dict):
        raise ShoplineError(422, "webhook is required and must be an object")
    values = []
    for name in ("address", "api_version", "topic"):
        value = webhook.get(name)
        if not isinstance(value, str) or not value.strip():
            raise ShoplineError(422, f"webhook.{name} is required")
        values.append(value.strip())
    address, api_version, topic = values
    if len(address) > MAX_ADDRESS or not address.startswith(("http://", "https://")):
        raise ShoplineError(422, f"webhook.address must be an http(s) URL of at most {MAX_ADDRESS} characters")
    if not _VERSION.match(api_version) or api_version < WEBHOOK_MIN_VERSION:
        raise ShoplineError(422, f"webhook.api_version must be {WEBHOOK_MIN_VERSION} or later")
    if not re.match(r"^[a-z_]+/[a-z_]+$", topic):
        raise ShoplineError(422, "webhook.topic is not a known event")
    return address, api_version, topic


async def webhooks(request: Request, handle: str | None, version: str) -> Response:
    trace_id = new_trace_id()
    try:
        state, store = _open(request, handle, version)
        if request.method == "GET":
            items = [s.to_api() for s in store.subscriptions.values()]
            return JSONResponse({"webhooks": items}, headers={"traceId": trace_id})
        check_content_type(request.headers.get("content-type"))
        address, api_version, topic = _subscription_in(parse_json_object(await request.body()))
    except ShoplineError as error:
        return error_response(error, trace_id)
    same = next((s for s in store.subscriptions.values() if s.topic == topic and s.address == address), None)
    if same is None:
        same = Subscription(state.next_subscription_id, address, topic, api_version)
        state.next_subscription_id += 1
        store.subscriptions[same.id] = same
    return JSONResponse({"webhook": same.to_api()}, headers={"traceId": trace_id})


async def delete_webhook(request: Request, handle: str | None, version: str, webhook_id: int) -> Response:
    trace_id = new_trace_id()
    try:
        _, store = _open(request, handle, version)
        if store.subscriptions.pop(webhook_id, None) is None:
            raise ShoplineError(404, f"{errors.NOT_FOUND}: webhook {webhook_id} does not exist")
    except ShoplineError as error:
        return error_response(error, trace_id)
    return JSONResponse({}, headers={"traceId": trace_id})


_P = "/admin/openapi/{version}"


def _host(request: Request) -> str | None:
    return handle_from_host(request.headers.get("host"))


@router.get("/{handle}" + _P + "/orders.json")
async def orders_by_path(request: Request, handle: str, version: str) -> Response:
    return await list_orders(request, handle, version)


@router.get(_P + "/orders.json")
async def orders_by_host(request: Request, version: str) -> Response:
    return await list_orders(request, _host(request), version)


@router.get("/{handle}" + _P + "/orders/{order_id}/fulfillments.json")
async def fulfillments_by_path(request: Request, handle: str, version: str, order_id: str) -> Response:
    return await order_fulfillments(request, handle, version, order_id)


@router.get(_P + "/orders/{order_id}/fulfillments.json")
async def fulfillments_by_host(request: Request, version: str, order_id: str) -> Response:
    return await order_fulfillments(request, _host(request), version, order_id)


@router.api_route("/{handle}" + _P + "/webhooks.json", methods=["GET", "POST"])
async def webhooks_by_path(request: Request, handle: str, version: str) -> Response:
    return await webhooks(request, handle, version)


@router.api_route(_P + "/webhooks.json", methods=["GET", "POST"])
async def webhooks_by_host(request: Request, version: str) -> Response:
    return await webhooks(request, _host(request), version)


@router.delete("/{handle}" + _P + "/webhooks/{webhook_id}.json")
async def delete_webhook_by_path(request: Request, handle: str, version: str, webhook_id: int) -> Response:
    return await delete_webhook(request, handle, version, webhook_id)
