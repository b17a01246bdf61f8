"""Shared route helpers: bearer-token auth, JSON bodies, `PayPal-Request-Id` replay."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request
from starlette.responses import JSONResponse, Response

from parcelsync.sandbox.paypal.errors import PayPalApiError, detail, new_debug_id, oauth_error
from parcelsync.sandbox.paypal.models import App, PayPalState

REQUEST_ID = "paypal-request-id"


def state_of(request: Request) -> PayPalState:
    state: PayPalState = request.app.state.paypal
    return state


def base_of(request: Request) -> str:
    return str(request.base_url).rstrip("/")


class TokenProblem(Exception):
    """A bearer token that is missing, unknown or expired: PayPal answers in OAuth's error shape."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description

    def response(self) -> JSONResponse:
        if self.description == "missing":
            return PayPalApiError(401).response()
        return oauth_error(401, "invalid_token", self.description)


def authenticate(request: Request) -> App:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise TokenProblem("missing")
    app, why = state_of(request).token_app(token.strip())
    if app is None:
        raise TokenProblem("Access Token not found in cache" if why == "missing" else "Token has expired")
    return app


async def json_body(request: Request) -> Any:
    raw = await request.body()
    content_type = request.headers.get("content-type", "")
    if raw and "json" not in content_type.lower():
        raise PayPalApiError(415)
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        raise PayPalApiError(400, [detail("MALFORMED_REQUEST_JSON", "The request JSON is not well formed.")]) \
            from None


def ok(body: Any, status: int = 200) -> Response:
    headers = {"Paypal-Debug-Id": new_debug_id()}
    if status == 204:
        return Response(status_code=204, headers=headers)
    return JSONResponse(body, status_code=status, headers=headers)


async def idempotent(request: Request, app: App, handler: Callable[[], Awaitable[Response]]) -> Response:
    """Replay the stored answer of a write whose `PayPal-Request-Id` was seen before (PayPal keeps ids 6 h)."""
    request_id = request.headers.get(REQUEST_ID)
    state = state_of(request)
    key = (app.client_id, f"{request.method} {request.url.path} {request_id}")
    if request_id and key in state.idempotency:
        status, body = state.idempotency[key]
        return ok(body, status)
    response = await handler()
    if request_id and response.status_code < 500:
        body = json.loads(bytes(response.body)) if response.body else None
        state.idempotency[key] = (response.status_code, body)
    return response
