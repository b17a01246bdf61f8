"""Sandbox administration under `/_sandbox/` (never faulted or recorded): apps, orders, clock, faults..."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

from parcelsync.sandbox.faults import FaultConfig
from parcelsync.sandbox.paypal.common import state_of

router = APIRouter(prefix="/_sandbox")


class AppIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    client_id: str = Field(min_length=1)
    client_secret: str = Field(min_length=1, repr=False)
    transactions: list[str] = Field(default_factory=list)
    accept_any_transaction: bool = False
    # order id -> capture ids (all COMPLETED), or capture id -> status (e.g. "DECLINED", "REFUNDED").
    orders: dict[str, list[str] | dict[str, str]] = Field(default_factory=dict)


class AdvanceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    seconds: float = Field(ge=0)


class SettingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token_ttl_s: float | None = Field(default=None, gt=0)
    max_tracker_updates: int | None = Field(default=None, ge=0)


@router.post("/apps", status_code=201)
async def add_app(body: AppIn, request: Request) -> dict[str, Any]:
    app = state_of(request).add_app(body.client_id, body.client_secret, body.transactions,
                                    accept_any_transaction=body.accept_any_transaction, orders=body.orders)
    return app.public()


@router.get("/apps")
async def apps(request: Request) -> list[dict[str, Any]]:
    return [a.public() for a in state_of(request).apps.values()]


@router.get("/state")
async def state(request: Request) -> dict[str, Any]:
    s = state_of(request)
    return {
        "now": s.now(), "token_ttl_s": s.token_ttl_s, "tokens_issued": s.tokens_issued,
        "max_tracker_updates": s.max_tracker_updates,
        "apps": [a.public() for a in s.apps.values()],
        "trackers": [t.to_admin() for t in s.trackers.values()],
    }


@router.get("/trackers")
async def trackers(request: Request) -> list[dict[str, Any]]:
    return [t.to_admin() for t in state_of(request).trackers.values()]


@router.get("/requests")
async def requests(request: Request) -> dict[str, Any]:
    log = state_of(request).log
    return {**log.summary(), "requests": [r.to_dict() for r in log.items]}


@router.delete("/requests")
async def clear_requests(request: Request) -> dict[str, int]:
    state_of(request).log.clear()
    return {"count": 0}


@router.get("/faults")
async def get_faults(request: Request) -> dict[str, Any]:
    faults = state_of(request).faults
    return {**faults.config.to_dict(), "injected": dict(faults.injected)}


@router.put("/faults")
async def put_faults(body: dict[str, Any], request: Request) -> dict[str, Any]:
    try:
        config = FaultConfig.from_dict(body)
    except (TypeError, ValueError) as exc:
        raise HTTPException(400, str(exc)) from None
    state_of(request).faults.configure(config)
    return config.to_dict()


@router.get("/clock")
async def clock(request: Request) -> dict[str, float]:
    return {"now": state_of(request).now()}


@router.post("/clock/advance")
async def advance(body: AdvanceIn, request: Request) -> dict[str, float]:
    """Move the simulated clock (tokens expire on it)."""
    return {"now": state_of(request).advance(body.seconds)}


@router.post("/tokens/expire")
async def expire_tokens(request: Request) -> dict[str, int]:
    """Expire every issued token now (the next API call answers 401)."""
    return {"expired": state_of(request).expire_tokens()}


@router.patch("/settings")
async def settings(body: SettingsIn, request: Request) -> dict[str, Any]:
    s = state_of(request)
    if body.token_ttl_s is not None:
        s.token_ttl_s = body.token_ttl_s
    if body.max_tracker_updates is not None:
        s.max_tracker_updates = body.max_tracker_updates
    return {"token_ttl_s": s.token_ttl_s, "max_tracker_updates": s.max_tracker_updates}


@router.post("/reset")
async def reset(request: Request) -> dict[str, bool]:
    state_of(request).reset()
    return {"reset": True}
