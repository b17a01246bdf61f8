"""Sandbox administration under `/_sandbox/` (JSON): seed merchants and intents, inspect, break, reset."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field, TypeAdapter

from parcelsync.sandbox.faults import FaultConfig
from parcelsync.sandbox.useepay.routes import TRACKERS_PATH, state_of

router = APIRouter(prefix="/_sandbox")
_FAULTS = TypeAdapter(FaultConfig)


class MerchantIn(BaseModel):
    merchant_no: str = Field(min_length=1)
    app_id: str = Field(min_length=1)
    api_key: str = Field(min_length=1, repr=False)
    payment_intents: list[str] = Field(default_factory=list)
    accept_any_payment_intent: bool = False


class PaymentIntentsIn(BaseModel):
    ids: list[str]


@router.post("/merchants", status_code=201)
async def add_merchant(body: MerchantIn, request: Request) -> dict[str, Any]:
    account = state_of(request).add_merchant(
        body.merchant_no, body.app_id, body.api_key, body.payment_intents, body.accept_any_payment_intent
    )
    return account.public()


@router.get("/merchants")
async def list_merchants(request: Request) -> dict[str, Any]:
    return {"merchants": [a.public() for a in state_of(request).merchants.values()]}


@router.post("/merchants/{merchant_no}/payment_intents")
async def add_payment_intents(merchant_no: str, body: PaymentIntentsIn, request: Request) -> dict[str, Any]:
    try:
        account = state_of(request).add_payment_intents(merchant_no, body.ids)
    except KeyError:
        raise HTTPException(404, f"unknown merchant {merchant_no}") from None
    return account.public()


@router.get("/trackers")
async def list_trackers(request: Request, merchant_no: str | None = None) -> dict[str, Any]:
    trackers = state_of(request).all_trackers(merchant_no)
    return {"count": len(trackers), "trackers": [t.to_admin() for t in trackers]}


def _batch_size(method: str, path: str, body: Any) -> int | None:
    if method != "POST" or not path.endswith(TRACKERS_PATH) or not isinstance(body, dict):
        return None
    trackers = body.get("trackers")
    return len(trackers) if isinstance(trackers, list) else None


@router.get("/requests")
async def list_requests(request: Request) -> dict[str, Any]:
    """Every request received: count, status tally, upload batch sizes in order, and each request."""
    log = state_of(request).log
    sizes = [_batch_size(r.method, r.path, r.body) for r in log.items]
    return {
        **log.summary(),
        "batch_sizes": [s for s in sizes if s is not None],
        "requests": [{**r.to_dict(), "batch_size": s} for r, s in zip(log.items, sizes, strict=True)],
    }


@router.delete("/requests")
async def clear_requests(request: Request) -> dict[str, Any]:
    state_of(request).log.clear()
    return {"count": 0}


@router.get("/faults")
async def get_faults(request: Request) -> dict[str, Any]:
    faults = state_of(request).faults
    return {**faults.config.to_dict(), "injected": dict(faults.injected)}


@router.put("/faults")
async def put_faults(body: dict[str, Any], request: Request) -> dict[str, Any]:
    try:
        config = _FAULTS.validate_python(FaultConfig.from_dict(body).to_dict())
    except (TypeError, ValueError) as exc:
        raise HTTPException(400, str(exc)) from None
    state_of(request).faults.configure(config)
    return config.to_dict()


@router.post("/reset")
async def reset(request: Request) -> dict[str, Any]:
    state_of(request).reset()
    return {"reset": True}
