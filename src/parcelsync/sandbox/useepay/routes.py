"""The emulated UseePay endpoints: upload trackers (seed) and retrieve a tracker (path unconfirmed)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse

from parcelsync.sandbox.useepay.errors import RESOURCE_NOT_FOUND, UseePayApiError
from parcelsync.sandbox.useepay.models import MerchantAccount, UseePayState
from parcelsync.sandbox.useepay.validation import (
    check_tracker,
    normalised_shipments,
    parse_upload,
    rejected_entry,
)

TRACKERS_PATH = "/api/v2/shipping/trackers"
SUCCESS = {"code": "0000", "message": "Approved or completed successfully"}

_SHIPMENT_SCHEMA = {
    "type": "object",
    "required": ["carrier", "tracking_number"],
    "properties": {
        "carrier": {"type": "string"},
        "tracking_number": {"type": "string"},
        "tracking_url": {"type": "string", "format": "uri"},
    },
}
_UPLOAD_SCHEMA = {
    "type": "object",
    "required": ["trackers"],
    "properties": {
        "meta_data": {"type": "object"},
        "trackers": {
            "type": "array",
            "minItems": 1,
            "maxItems": 20,
            "items": {
                "type": "object",
                "required": ["payment_intent_id", "shipments"],
                "properties": {
                    "payment_intent_id": {"type": "string"},
                    "shipments": {"type": "array", "items": _SHIPMENT_SCHEMA},
                },
            },
        },
    },
}

router = APIRouter()


def state_of(request: Request) -> UseePayState:
    state: UseePayState = request.app.state.useepay
    return state


def _merchant(request: Request) -> MerchantAccount:
    h = request.headers
    return state_of(request).authenticate(h.get("x-merchant-no"), h.get("x-app-id"), h.get("x-api-key"))


def _envelope(account: MerchantAccount, data: Any, **extra: Any) -> dict[str, Any]:
    return {**SUCCESS, "data": data, "merchant_no": account.merchant_no, "app_id": account.app_id, **extra}


@router.post(
    TRACKERS_PATH,
    openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": _UPLOAD_SCHEMA}}}},
)
async def upload_trackers(request: Request) -> JSONResponse:
    """Upload or update up to 20 trackers; each is accepted (stored, last write wins) or rejected."""
    account = _merchant(request)
    upload = parse_upload(await request.body(), request.headers.get("content-type"))
    state = state_of(request)
    accepted: list[dict[str, Any]] = []
    rejected: list[dict[str, Any]] = []
    # A payment intent repeated inside one request is processed in order: the later entry wins.
    for tracker in upload.trackers:
        problem = check_tracker(tracker, account.knows)
        if problem is not None:
            rejected.append(rejected_entry(tracker, problem))
            continue
        stored = state.upsert_tracker(account.merchant_no, tracker["payment_intent_id"], normalised_shipments(tracker))
        accepted.append(stored.to_entry())
    body = _envelope(account, {"accepted": accepted, "rejected": rejected}, meta_data=upload.meta_data)
    return JSONResponse(body)


@router.get(TRACKERS_PATH + "/{payment_intent_id}")
async def retrieve_tracker(payment_intent_id: str, request: Request) -> JSONResponse:
    """The stored tracker of a payment intent of this merchant, or 404 `resource_not_found`."""
    account = _merchant(request)
    stored = state_of(request).tracker(account.merchant_no, payment_intent_id)
    if stored is None:
        raise UseePayApiError(
            404, RESOURCE_NOT_FOUND, "payment_intent_id", f"No tracker for payment_intent: '{payment_intent_id}'"
        )
    return JSONResponse(_envelope(account, stored.to_api()))
