"""Sandbox administration under `/_sandbox/` (never faulted, never recorded): accounts, clock, faults..."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

from parcelsync.sandbox.aftership.models import DEMO_WEBHOOK_SECRET, AfterShipState
from parcelsync.sandbox.aftership.webhooks import WebhookDispatcher
from parcelsync.sandbox.faults import FaultConfig

router = APIRouter(prefix="/_sandbox")


class AccountIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    api_key: str = Field(min_length=4)
    webhook_url: str | None = None
    webhook_secret: str = Field(default=DEMO_WEBHOOK_SECRET, min_length=8)


class AdvanceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    seconds: float = Field(ge=0)


class SettingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rate_limits: bool | None = None
    webhook_max_attempts: int | None = Field(default=None, ge=1, le=20)
    webhook_backoff_s: float | None = Field(default=None, ge=0)


def _state(request: Request) -> AfterShipState:
    return request.app.state.aftership  # type: ignore[no-any-return]


def _dispatcher(request: Request) -> WebhookDispatcher:
    return request.app.state.aftership_webhooks  # type: ignore[no-any-return]


def _mask(secret: str) -> str:
    return "****" + secret[-4:] if len(secret) > 8 else "****"


@router.post("/accounts", status_code=201)
async def add_account(body: AccountIn, request: Request) -> dict[str, Any]:
    account = _state(request).add_account(body.api_key, body.webhook_url, body.webhook_secret)
    return {"api_key": _mask(account.api_key), "webhook_url": account.webhook_url}


@router.get("/accounts")
async def accounts(request: Request) -> list[dict[str, Any]]:
    return [{"api_key": _mask(a.api_key), "webhook_url": a.webhook_url, "trackings": len(a.trackings)}
            for a in _state(request).accounts.values()]


@router.get("/state")
async def state(request: Request) -> dict[str, Any]:
    s = _state(request)
    return {"now": s.now(), "rate_limits": s.rate_limits, "accounts": len(s.accounts),
            "trackings": sum(len(a.trackings) for a in s.accounts.values()),
            "webhooks": len(s.webhook_deliveries)}


@router.get("/trackings")
async def trackings(request: Request) -> list[dict[str, Any]]:
    return [r.to_api() for a in _state(request).accounts.values() for r in a.trackings.values()]


@router.get("/clock")
async def clock(request: Request) -> dict[str, float]:
    return {"now": _state(request).now()}


@router.post("/clock/advance")
async def advance(body: AdvanceIn, request: Request) -> dict[str, Any]:
    """Move the simulated clock, then push a signed webhook for every tag change (awaited)."""
    changes = _state(request).advance(body.seconds)
    reports = await _dispatcher(request).deliver(changes)
    return {"now": _state(request).now(),
            "changes": [{"id": c.tracking["id"], "tracking_number": c.tracking["tracking_number"],
                         "tag": c.tracking["tag"], "subtag": c.tracking["subtag"]} for c in changes],
            "webhooks": reports}


@router.get("/requests")
async def requests(request: Request) -> dict[str, Any]:
    log = _state(request).log
    return {**log.summary(), "requests": [r.to_dict() for r in log.items]}


@router.delete("/requests")
async def clear_requests(request: Request) -> dict[str, int]:
    _state(request).log.clear()
    return {"count": 0}


@router.get("/webhooks")
async def webhooks(request: Request) -> list[dict[str, Any]]:
    return list(_state(request).webhook_deliveries)


@router.get("/faults")
async def get_faults(request: Request) -> dict[str, Any]:
    faults = _state(request).faults
    return {**faults.config.to_dict(), "injected": dict(faults.injected)}


@router.put("/faults")
async def put_faults(body: dict[str, Any], request: Request) -> dict[str, Any]:
    try:
        config = FaultConfig.from_dict(body)
    except (TypeError, ValueError) as exc:
        raise HTTPException(422, str(exc)) from None
    _state(request).faults.configure(config)
    return config.to_dict()


@router.patch("/settings")
async def settings(body: SettingsIn, request: Request) -> dict[str, Any]:
    s, d = _state(request), _dispatcher(request)
    if body.rate_limits is not None:
        s.rate_limits = body.rate_limits
    if body.webhook_max_attempts is not None:
        d.max_attempts = body.webhook_max_attempts
    if body.webhook_backoff_s is not None:
        d.backoff_s = body.webhook_backoff_s
    return {"rate_limits": s.rate_limits, "webhook_max_attempts": d.max_attempts, "webhook_backoff_s": d.backoff_s}


@router.post("/reset")
async def reset(request: Request) -> dict[str, bool]:
    _state(request).reset()
    return {"reset": True}
