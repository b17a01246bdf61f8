"""Sandbox administration under `/_sandbox/`: seed stores and orders, flip store flags, read state, faults."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from parcelsync.sandbox.faults import FaultConfig
from parcelsync.sandbox.shopline.models import (
    DEFAULT_BUCKET,
    DEFAULT_RATE,
    LIST_API_SINCE,
    ShoplineState,
    StoreRecord,
    Tracking,
    now_iso,
)
from parcelsync.sandbox.shopline.webhooks import emit, redeliver

router = APIRouter(prefix="/_sandbox")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class StoreIn(_Strict):
    handle: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9-]*$")
    access_token: str = Field(min_length=1, repr=False)
    rate_limit: bool = True
    auto_create: bool = False
    rate_per_second: float = Field(default=DEFAULT_RATE, gt=0)
    bucket_size: int = Field(default=DEFAULT_BUCKET, ge=1)
    app_secret: str | None = Field(default=None, min_length=1, repr=False)


class StorePatch(_Strict):
    frozen: bool | None = None
    locked: bool | None = None
    token_expired: bool | None = None
    rate_limit: bool | None = None
    auto_create: bool | None = None
    access_token: str | None = Field(default=None, min_length=1, repr=False)


class TrackingIn(_Strict):
    tracking_company: str | None = None
    tracking_number: str = Field(min_length=1)
    tracking_url: str | None = None


class FulfillmentIn(_Strict):
    id: str = Field(min_length=1)
    name: str | None = None
    line_items: list[dict[str, Any]] | None = None
    shipment_status: str | None = "confirmed"
    status: str = "success"
    tracking_info_list: list[TrackingIn] | None = None


class OrderIn(_Strict):
    order_id: str = Field(min_length=1)
    fulfillments: list[FulfillmentIn] = Field(min_length=1)
    pay_channel_deal_id: str | None = None
    email: str | None = None
    fulfillment_status: Literal["partial", "shipped"] = "shipped"


class FulfillmentEdit(_Strict):
    """What a person does in the store's admin: set a fulfillment's tracking (creating it if new)."""

    tracking_info_list: list[TrackingIn] = Field(default_factory=list, max_length=10)
    pay_channel_deal_id: str | None = None
    email: str | None = None
    shipment_status: str | None = None


def _state(request: Request) -> ShoplineState:
    return request.app.state.shopline  # type: ignore[no-any-return]


def _known(state: ShoplineState, handle: str) -> StoreRecord:
    store = state.stores.get(handle)
    if store is None:
        raise HTTPException(404, f"no store {handle!r}")
    return store


@router.post("/stores", status_code=201)
async def create_store(payload: StoreIn, request: Request, response: Response) -> dict[str, Any]:
    """Create a store, or update the settings of an existing one (200), keeping its orders."""
    state = _state(request)
    if payload.handle in state.stores:
        response.status_code = 200
    store = state.add_store(**payload.model_dump())
    return store.public()


@router.patch("/stores/{handle}")
async def patch_store(handle: str, payload: StorePatch, request: Request) -> dict[str, Any]:
    store = _known(_state(request), handle)
    for key, value in payload.model_dump(exclude_none=True).items():
        setattr(store, key, value)
    return store.public()


@router.post("/stores/{handle}/orders", status_code=201)
async def create_order(handle: str, payload: OrderIn, request: Request) -> dict[str, Any]:
    """Seed an order's fulfillments (an existing fulfillment id is replaced)."""
    state = _state(request)
    _known(state, handle)
    records = state.add_order(
        handle, payload.order_id, [f.model_dump(exclude_none=True) for f in payload.fulfillments]
    )
    info = state.stores[handle].info(payload.order_id)
    info.pay_channel_deal_id = payload.pay_channel_deal_id or info.pay_channel_deal_id
    info.email = payload.email or info.email
    info.fulfillment_status = payload.fulfillment_status
    return {"order_id": payload.order_id, "fulfillments": [r.to_api() for r in records]}


@router.put("/stores/{handle}/orders/{order_id}/fulfillments/{fulfillment_id}")
async def edit_fulfillment(
    handle: str, order_id: str, fulfillment_id: str, payload: FulfillmentEdit, request: Request, response: Response
) -> dict[str, Any]:
    """Stand in for the merchant's admin: create or edit a fulfillment's tracking, then push the webhook
    (`fulfillments/create` for a new fulfillment, `fulfillments/update` otherwise) to the subscribers."""
    state = _state(request)
    store = _known(state, handle)
    record = store.orders.get(order_id, {}).get(fulfillment_id)
    created = record is None
    if record is None:
        record = store.add_fulfillment(order_id, fulfillment_id)
    if payload.shipment_status is not None:
        record.shipment_status = payload.shipment_status
    info = store.info(order_id)
    info.pay_channel_deal_id = payload.pay_channel_deal_id or info.pay_channel_deal_id
    info.email = payload.email or info.email
    info.updated_at = now_iso()
    record.set_tracking(
        [Tracking(t.tracking_company, t.tracking_number, t.tracking_url) for t in payload.tracking_info_list], False
    )
    topic = "fulfillments/create" if created else "fulfillments/update"
    messages = await emit(state, store, topic, record.to_api(LIST_API_SINCE))
    response.status_code = 201 if created else 200
    return {"fulfillment": record.to_api(), "webhooks": [m.to_dict() for m in messages]}


@router.get("/webhooks")
async def list_deliveries(request: Request) -> dict[str, Any]:
    """Every webhook message pushed (or not delivered), oldest first."""
    return {"deliveries": [m.to_dict() for m in _state(request).deliveries]}


@router.post("/webhooks/{webhook_id}/redeliver")
async def redeliver_webhook(webhook_id: str, request: Request) -> dict[str, Any]:
    """Send a message again with the same X-Shopline-Webhook-Id and body (what SHOPLINE's retries do)."""
    message = await redeliver(_state(request), webhook_id)
    if message is None:
        raise HTTPException(404, f"no webhook {webhook_id!r}")
    return message.to_dict()


@router.get("/stores/{handle}/fulfillments")
async def list_fulfillments(handle: str, request: Request) -> dict[str, Any]:
    """The tracking each fulfillment holds now, and how many buyer notifications were sent."""
    store = _known(_state(request), handle)
    return {
        "fulfillments": [
            {
                "order_id": record.order_id,
                "fulfillment_id": record.id,
                "tracking_info_list": [t.to_api() for t in record.tracking],
                "notifications": record.notifications,
                "updated_at": record.updated_at,
            }
            for fulfillments in store.orders.values()
            for record in fulfillments.values()
        ]
    }


@router.get("/requests")
async def list_requests(request: Request) -> dict[str, Any]:
    log = _state(request).log
    return {**log.summary(), "items": [item.to_dict() for item in log.items]}


@router.get("/faults")
async def get_faults(request: Request) -> dict[str, Any]:
    faults = _state(request).faults
    return {**faults.config.to_dict(), "injected": faults.injected}


@router.put("/faults")
async def put_faults(payload: dict[str, Any], request: Request) -> dict[str, Any]:
    try:
        config = FaultConfig.from_dict(payload)
    except (TypeError, ValueError) as exc:
        raise HTTPException(422, str(exc)) from None
    _state(request).faults.configure(config)
    return config.to_dict()


@router.post("/reset")
async def reset(request: Request) -> dict[str, Any]:
    _state(request).reset()
    return {"reset": True}
