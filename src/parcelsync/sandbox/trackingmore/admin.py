"""Sandbox administration under `/_sandbox/` (never faulted, never recorded): accounts, clock, faults..."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

from parcelsync.sandbox.trackingmore.models import DEFAULT_QUOTA, Account, TrackingMoreState
from parcelsync.sandbox.trackingmore.webhooks import WebhookDispatcher

router = APIRouter(prefix="/_sandbox")


def _mask(secret: str) -> str:
    """An API key as the admin listing shows it: the last four characters only."""
    return "****" + secret[-4:] if len(secret) > 8 else "****"


class AccountIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    api_key: str = Field(min_length=4)
    email: str = Field(min_length=3)
    webhook_url: str | None = None
    quota: int = Field(default=DEFAULT_QUOTA, ge=0)


class AdvanceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    seconds: float = Field(ge=0)


class SettingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rate_limits: bool | None = None
    webhook_max_attempts: int | None = Field(default=None, ge=1, le=20)
    webhook_backoff_s: float | None = Field(default=None, ge=0)


def _state(request: Request) -> TrackingMoreState:
    return request.app.state.trackingmore  # type: ignore[no-any-return]


def _dispatcher(request: Request) -> WebhookDispatcher:
    return request.app.state.trackingmore_webhooks  # type: ignore[no-any-return]


def _account_view(account: Account) -> dict[str, Any]:
    return {
        "api_key": _mask(account.api_key), "email": account.email, "webhook_url": account.webhook_url,
        "quota": account.quota, "trackings": len(account.trackings),
    }


@router.post("/accounts", status_code=201)
async def add_account(body: AccountIn, request: Request) -> dict[str, Any]:
    account = _state(request).add_account(body.api_key, body.email, body.webhook_url, body.quota)
    return _account_view(account)


@router.get("/accounts")
async def accounts(request: Request) -> list[dict[str, Any]]:
    return [_account_view(a) for a in _state(request).accounts.values()]


@router.post("/clock/advance")
async def advance(body: AdvanceIn, request: Request) -> dict[str, Any]:
    """Move the simulated clock, then push webhooks for every status change (awaited)."""
    state = _state(request)
    changes = state.advance(body.seconds)
    reports = await _dispatcher(request).deliver(changes)
    return {
        "now": state.now,
        "changes": [
            {"tracking_number": c.tracking["tracking_number"], "carrier_code": c.tracking["carrier_code"],
             "status": c.tracking["status"], "substatus": c.tracking["substatus"]}
            for c in changes
        ],
        "webhooks": reports,
    }


@router.get("/clock")
async def clock(request: Request) -> dict[str, float]:
    return {"now": _state(request).now}


@router.get("/trackings")
async def trackings(request: Request) -> list[dict[str, Any]]:
    return [
        {"account": account.email, **record.to_api()}
        for account in _state(request).accounts.values()
        for record in account.trackings.values()
    ]


@router.get("/requests")
async def requests(request: Request) -> list[dict[str, Any]]:
    return [r.to_dict() for r in _state(request).log.items]


@router.get("/webhooks")
async def webhooks(request: Request) -> list[dict[str, Any]]:
    return list(_state(request).webhook_deliveries)


@router.get("/faults")
async def get_faults(request: Request) -> dict[str, Any]:
    faults = _state(request).faults
    return {**faults.to_dict(), "injected": dict(faults.injected)}


@router.put("/faults")
async def put_faults(body: dict[str, Any], request: Request) -> dict[str, Any]:
    faults = _state(request).faults
    try:
        faults.configure_from(body)
    except (TypeError, ValueError) as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    return faults.to_dict()


@router.post("/reset")
async def reset(request: Request) -> dict[str, bool]:
    _state(request).reset()
    return {"reset": True}


@router.patch("/settings")
async def settings(body: SettingsIn, request: Request) -> dict[str, Any]:
    state, dispatcher = _state(request), _dispatcher(request)
    if body.rate_limits is not None:
        state.rate_limits = body.rate_limits
    if body.webhook_max_attempts is not None:
        dispatcher.max_attempts = body.webhook_max_attempts
    if body.webhook_backoff_s is not None:
        dispatcher.backoff_s = body.webhook_backoff_s
    return {
        "rate_limits": state.rate_limits, "webhook_max_attempts": dispatcher.max_attempts,
        "webhook_backoff_s": dispatcher.backoff_s,
    }
