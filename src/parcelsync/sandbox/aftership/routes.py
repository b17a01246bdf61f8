"""The emulated AfterShip Tracking API (2026-07): trackings and couriers, paced per endpoint."""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse

from parcelsync.sandbox.aftership.couriers import BY_SLUG, COURIERS, detect
from parcelsync.sandbox.aftership.errors import AfterShipError, envelope
from parcelsync.sandbox.aftership.models import Account, AfterShipState, TrackingRecord, iso
from parcelsync.sandbox.aftership.validation import COMPLETE_REASONS, check_create, check_update

router = APIRouter()
TRACKING_ID = re.compile(r"^[a-z0-9]{16,32}$")
MAX_LIMIT = 200


def state_of(request: Request) -> AfterShipState:
    state: AfterShipState = request.app.state.aftership
    return state


def guard(request: Request, endpoint: str) -> Account:
    """Authenticate `as-api-key` and count the call in its endpoint's window (headers kept for the answer)."""
    state = state_of(request)
    account = state.authenticate(request.headers.get("as-api-key"))
    if account is None:
        raise AfterShipError(401)
    allowed, headers = state.take(account.api_key, endpoint)
    request.state.ratelimit_headers = headers
    if not allowed:
        request.state.ratelimit_headers = {**headers, "Retry-After": "1"}
        raise AfterShipError(429, f"You have exceeded the API call rate limit of this endpoint "
                                  f"({headers['X-RateLimit-Limit']} requests per second).")
    return account


def reply(request: Request, code: int, data: Any) -> JSONResponse:
    return JSONResponse(envelope(code, data), status_code=code if code in (200, 201) else 200,
                        headers=getattr(request.state, "ratelimit_headers", None))


async def body_of(request: Request) -> Any:
    raw = await request.body()
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise AfterShipError(4001) from None


def _record(account: Account, tracking_id: str) -> TrackingRecord:
    if not TRACKING_ID.match(tracking_id):
        raise AfterShipError(4015)
    record = account.trackings.get(tracking_id)
    if record is None:
        raise AfterShipError(4004)
    return record


@router.post("/trackings")
async def create_tracking(request: Request) -> JSONResponse:
    account = guard(request, "create")
    body = await body_of(request)
    number, slug = check_create(body)
    if isinstance(slug, str):
        chosen = slug
    else:
        found = detect(number, slug)
        if not found:
            raise AfterShipError(4012)
        chosen = found[0].slug
    if account.by_number(chosen, number) is not None:
        # Unconfirmed for 2024+ versions whether `data` names the existing tracking: answered empty,
        # so a client must look it up (GET /trackings?tracking_numbers=...).
        raise AfterShipError(4003)
    fields = {k: v for k, v in body.items() if k not in ("tracking_number", "slug")}
    record = state_of(request).create(account, number, chosen, fields)
    return reply(request, 201, record.to_api())


def _matches(record: TrackingRecord, q: dict[str, str], state: AfterShipState) -> bool:
    def listed(name: str, value: str | None) -> bool:
        return name not in q or (value or "") in {v.strip() for v in q[name].split(",")}

    tag = record.tag()[0]
    if not (listed("tracking_numbers", record.tracking_number) and listed("slug", record.slug)
            and listed("tag", tag) and listed("order_id", record.fields.get("order_id"))):
        return False
    if "keyword" in q and q["keyword"].lower() not in json.dumps(record.to_api()).lower():
        return False
    for name, value in (("created_at", record.created_at), ("updated_at", record.updated_at)):
        if f"{name}_min" in q and iso(value) < q[f"{name}_min"]:
            return False
        if f"{name}_max" in q and iso(value) > q[f"{name}_max"]:
            return False
    return True


@router.get("/trackings")
async def list_trackings(request: Request) -> JSONResponse:
    """Cursor pagination: `cursor` is the offset of the next page, `limit` 1..200 (default 100)."""
    account = guard(request, "list")
    q = dict(request.query_params)
    try:
        limit = int(q.pop("limit", "100"))
        offset = int(q.pop("cursor", "0") or "0")
    except ValueError:
        raise AfterShipError(4008, field="limit") from None
    if not 1 <= limit <= MAX_LIMIT or offset < 0:
        raise AfterShipError(4008, field="limit")
    state = state_of(request)
    found = sorted((r for r in account.trackings.values() if _matches(r, q, state)), key=lambda r: r.created_at,
                   reverse=True)
    page = found[offset : offset + limit]
    has_next = offset + limit < len(found)
    return reply(request, 200, {
        "pagination": {"total": len(found), "next_cursor": str(offset + limit) if has_next else None,
                       "has_next_page": has_next},
        "trackings": [r.to_api() for r in page],
    })


@router.get("/trackings/{tracking_id}")
async def get_tracking(tracking_id: str, request: Request) -> JSONResponse:
    account = guard(request, "get")
    return reply(request, 200, _record(account, tracking_id).to_api())


@router.put("/trackings/{tracking_id}")
async def update_tracking(tracking_id: str, request: Request) -> JSONResponse:
    account = guard(request, "update")
    record = _record(account, tracking_id)
    body = await body_of(request)
    check_update(body)
    if "slug" in body:
        record.slug = body.pop("slug")
    record.fields.update(body)
    record.updated_at = state_of(request).now()
    return reply(request, 200, record.to_api())


@router.delete("/trackings/{tracking_id}")
async def delete_tracking(tracking_id: str, request: Request) -> JSONResponse:
    account = guard(request, "delete")
    record = _record(account, tracking_id)
    del account.trackings[record.id]
    return reply(request, 200, record.to_api())


@router.post("/trackings/{tracking_id}/retrack")
async def retrack(tracking_id: str, request: Request) -> JSONResponse:
    account = guard(request, "retrack")
    record = _record(account, tracking_id)
    if record.active:
        raise AfterShipError(4013)
    if record.retracked:
        raise AfterShipError(4016)
    record.active, record.retracked = True, True
    record.updated_at = state_of(request).now()
    return reply(request, 200, record.to_api())


@router.post("/trackings/{tracking_id}/mark-as-completed")
async def mark_as_completed(tracking_id: str, request: Request) -> JSONResponse:
    account = guard(request, "mark_completed")
    record = _record(account, tracking_id)
    body = await body_of(request)
    reason = body.get("reason") if isinstance(body, dict) else None
    if reason not in COMPLETE_REASONS:
        raise AfterShipError(4008 if reason else 4009, field="reason")
    record.completed_reason, record.active = reason, False
    record.updated_at = state_of(request).now()
    return reply(request, 200, record.to_api())


@router.post("/couriers/detect")
async def detect_courier(request: Request) -> JSONResponse:
    guard(request, "detect")
    body = await body_of(request)
    if not isinstance(body, dict):
        raise AfterShipError(4001)
    number = body.get("tracking_number")
    if not number:
        raise AfterShipError(4007)
    if not isinstance(number, str):
        raise AfterShipError(4005)
    within = body.get("slug")
    if within is not None and (not isinstance(within, list) or not all(s in BY_SLUG for s in within)):
        raise AfterShipError(4010)
    found = detect(number, within)
    if not found:
        raise AfterShipError(4012)
    return reply(request, 200, {"total": len(found), "couriers": [c.to_api() for c in found]})


@router.get("/couriers")
async def couriers(request: Request) -> JSONResponse:
    """The account's activated couriers (the sandbox activates every courier it knows)."""
    guard(request, "couriers")
    return reply(request, 200, {"total": len(COURIERS), "couriers": [c.to_api() for c in COURIERS]})


@router.get("/couriers/all")
async def all_couriers(request: Request) -> JSONResponse:
    guard(request, "couriers_all")
    return reply(request, 200, {"total": len(COURIERS), "couriers": [c.to_api() for c in COURIERS]})
