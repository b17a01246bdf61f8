"""The TrackingMore v2 HTTP surface: 16 trackings endpoints plus carriers list and detect."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.responses import JSONResponse

from parcelsync.sandbox.trackingmore.errors import TrackingMoreError, envelope, meta
from parcelsync.sandbox.trackingmore.models import STATUSES, Account, TrackingMoreState, TrackingRecord
from parcelsync.sandbox.trackingmore.tools import air_cargo, cost_time, remote_area

API_KEY_HEADER = "Trackingmore-Api-Key"
MAX_BATCH = 40
MAX_BULK = 200
MAX_LIST_LIMIT = 2000

router = APIRouter(prefix="/v2")


def state_of(request: Request) -> TrackingMoreState:
    return request.app.state.trackingmore  # type: ignore[no-any-return]


def account_of(request: Request) -> Account:
    return state_of(request).authenticate(request.headers.get(API_KEY_HEADER))


async def body_of(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        raise TrackingMoreError(4012)
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise TrackingMoreError(4012, "The request body is not valid JSON.") from None


def ok(data: Any, code: int = 200) -> JSONResponse:
    return JSONResponse(envelope(code, data))


def items_of(body: Any, limit: int) -> list[Any]:
    if not isinstance(body, list) or not body:
        raise TrackingMoreError(4012, "The request body must be a non-empty array.")
    if len(body) > limit:
        raise TrackingMoreError(4020, f"Up to {limit} at a time")
    return body


def bulk(body: Any, limit: int, action: Callable[[Any], dict[str, Any]], count_name: str) -> dict[str, Any]:
    """Apply `action` to each item; per-item meta errors are collected, never fail the call."""
    items = items_of(body, limit)
    done: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for item in items:
        try:
            done.append(action(item))
        except TrackingMoreError as exc:
            key = item if isinstance(item, dict) else {}
            errors.append({
                "tracking_number": key.get("tracking_number"), "carrier_code": key.get("carrier_code"),
                "code": exc.code, "message": meta(exc.code, exc.message)["message"],
            })
    return {"submitted": len(items), count_name: len(done), "trackings": done, "errors": errors}


def rate_limited(state: TrackingMoreState, account: Account, bucket: str, per_second: int) -> None:
    if not state.allow(account, bucket, per_second):
        raise TrackingMoreError(429)


def found(state: TrackingMoreState, account: Account, carrier_code: str, number: str) -> TrackingRecord:
    if state.carriers.get(carrier_code) is None:
        raise TrackingMoreError(4015)
    return account.find(carrier_code, number)


@router.post("/trackings/post")
async def create_tracking(request: Request, account: Account = Depends(account_of)) -> JSONResponse:
    state = state_of(request)
    return ok(state.create(account, await body_of(request)).to_api(), 201)


@router.post("/trackings/batch")
async def batch_create(request: Request, account: Account = Depends(account_of)) -> JSONResponse:
    state = state_of(request)
    body = await body_of(request)
    items_of(body, MAX_BATCH)
    if account.quota <= 0:
        raise TrackingMoreError(4021)
    data = bulk(body, MAX_BATCH, lambda item: state.create(account, item).to_api(), "added")
    return ok(data, 201 if data["added"] else 200)


@router.get("/trackings/get")
async def list_trackings(request: Request, account: Account = Depends(account_of)) -> JSONResponse:
    state = state_of(request)
    rate_limited(state, account, "list", 1)
    query = dict(request.query_params)
    try:
        page = int(query.get("page") or 1)
        limit = int(query.get("limit") or 100)
    except ValueError:
        raise TrackingMoreError(4012, "page and limit must be integers.") from None
    if page < 1 or not 1 <= limit <= MAX_LIST_LIMIT:
        raise TrackingMoreError(4012, f"page must be >= 1 and limit between 1 and {MAX_LIST_LIMIT}.")
    records = state.listing(account, query)
    window = records[(page - 1) * limit : page * limit]
    return ok({"page": page, "limit": limit, "total": len(records), "items": [r.to_api() for r in window]})


@router.post("/trackings/updatemore")
async def update_many(request: Request, account: Account = Depends(account_of)) -> JSONResponse:
    state = state_of(request)

    def update(item: Any) -> dict[str, Any]:
        carrier, number = state.key_of(item)
        return state.update(account.find(carrier, number), item)

    return ok(bulk(await body_of(request), MAX_BULK, update, "updated"))


@router.post("/trackings/delete")
async def delete_many(request: Request, account: Account = Depends(account_of)) -> JSONResponse:
    state = state_of(request)

    def delete(item: Any) -> dict[str, Any]:
        carrier, number = state.key_of(item)
        record = account.find(carrier, number)
        del account.trackings[(carrier, number)]
        return {"tracking_number": record.tracking_number, "carrier_code": record.carrier_code}

    return ok(bulk(await body_of(request), MAX_BULK, delete, "deleted"))


@router.post("/trackings/notupdate")
async def not_update(request: Request, account: Account = Depends(account_of)) -> JSONResponse:
    state = state_of(request)

    def stop(item: Any) -> dict[str, Any]:
        carrier, number = state.key_of(item)
        record = account.find(carrier, number)
        record.stopped = True
        return {"tracking_number": record.tracking_number, "carrier_code": record.carrier_code}

    return ok(bulk(await body_of(request), MAX_BULK, stop, "updated"))


@router.post("/trackings/realtime")
async def realtime(request: Request, account: Account = Depends(account_of)) -> JSONResponse:
    state = state_of(request)
    rate_limited(state, account, "realtime", 3)
    body = await body_of(request)
    carrier, number = state.key_of(body)
    record = account.trackings.get((carrier, number)) or state.create(account, body)
    record.catch_up(state.now)
    return ok({"items": [record.to_api()]})


@router.post("/trackings/update")
async def change_carrier(request: Request, account: Account = Depends(account_of)) -> JSONResponse:
    state = state_of(request)
    return ok(state.change_carrier(account, await body_of(request)).to_api())


@router.get("/trackings/getuserinfo")
async def user_info(account: Account = Depends(account_of)) -> JSONResponse:
    return ok({"email": account.email, "regular_number": account.quota})


@router.get("/trackings/getstatusnumber")
async def status_number(request: Request, account: Account = Depends(account_of)) -> JSONResponse:
    state = state_of(request)
    keys = ("created_at_min", "created_at_max", "order_created_time_min", "order_created_time_max")
    query = {k: v for k, v in request.query_params.items() if k in keys}
    counts = dict.fromkeys(STATUSES, 0)
    for record in state.listing(account, query):
        counts[record.status] = counts.get(record.status, 0) + 1
    return ok({**counts, "total": sum(counts.values())})


@router.post("/trackings/remote")
async def remote(request: Request, account: Account = Depends(account_of)) -> JSONResponse:
    body = await body_of(request)
    return ok([remote_area(item) for item in items_of(body if isinstance(body, list) else [body], MAX_BULK)])


@router.post("/trackings/costtime")
async def costtime(request: Request, account: Account = Depends(account_of)) -> JSONResponse:
    state = state_of(request)
    body = await body_of(request)
    items = items_of(body if isinstance(body, list) else [body], MAX_BULK)
    return ok([
        cost_time(item, isinstance(item, dict) and state.carriers.get(str(item.get("carrier_code"))) is not None)
        for item in items
    ])


@router.post("/trackings/aircargo")
async def aircargo(request: Request, account: Account = Depends(account_of)) -> JSONResponse:
    body = await body_of(request)
    entries = body if isinstance(body, list) else [body]
    numbers: list[Any] = []
    for entry in entries:
        value = entry.get("track_number") if isinstance(entry, dict) else entry
        numbers.extend(value if isinstance(value, list) else [value])
    if not numbers or None in numbers:
        raise TrackingMoreError(4013, "track_number is required.")
    return ok([air_cargo(n) for n in items_of(numbers, MAX_BATCH)])


@router.get("/trackings/{carrier_code}/{tracking_number}")
async def get_tracking(
    carrier_code: str, tracking_number: str, request: Request, account: Account = Depends(account_of)
) -> JSONResponse:
    return ok(found(state_of(request), account, carrier_code, tracking_number).to_api())


@router.get("/trackings/{carrier_code}/{tracking_number}/{lang}")
async def get_tracking_lang(
    carrier_code: str, tracking_number: str, lang: str, request: Request, account: Account = Depends(account_of)
) -> JSONResponse:
    return ok(found(state_of(request), account, carrier_code, tracking_number).to_api())


@router.put("/trackings/{carrier_code}/{tracking_number}")
async def update_tracking(
    carrier_code: str, tracking_number: str, request: Request, account: Account = Depends(account_of)
) -> JSONResponse:
    state = state_of(request)
    record = found(state, account, carrier_code, tracking_number)
    return ok(state.update(record, await body_of(request)))


@router.delete("/trackings/{carrier_code}/{tracking_number}")
async def delete_tracking(
    carrier_code: str, tracking_number: str, request: Request, account: Account = Depends(account_of)
) -> JSONResponse:
    record = found(state_of(request), account, carrier_code, tracking_number)
    del account.trackings[(record.carrier_code, record.tracking_number)]
    return ok([])


@router.get("/carriers")
@router.get("/carriers/")
async def carriers(request: Request, account: Account = Depends(account_of)) -> JSONResponse:
    return ok([c.to_api() for c in state_of(request).carriers.carriers])


@router.post("/carriers/detect")
async def detect(request: Request, account: Account = Depends(account_of)) -> JSONResponse:
    body = await body_of(request)
    number = body.get("tracking_number") if isinstance(body, dict) else None
    if not isinstance(number, str) or not number.strip():
        raise TrackingMoreError(4013)
    matches = state_of(request).carriers.detect(number)
    if not matches:
        raise TrackingMoreError(4032)
    return ok([{"name": c.name, "code": c.code} for c in matches])
