"""The AfterShip sandbox application: API at the root of `base_url` (= https://api.aftership.com/tracking/2026-07)."""

from __future__ import annotations

import httpx
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse

from parcelsync.sandbox.aftership import admin, routes
from parcelsync.sandbox.aftership.errors import AfterShipError, envelope
from parcelsync.sandbox.aftership.models import AfterShipState
from parcelsync.sandbox.aftership.webhooks import WebhookDispatcher
from parcelsync.sandbox.middleware import ADMIN_PREFIX, SandboxMiddleware

API_VERSION = "2026-07"


def create_app(state: AfterShipState | None = None, *, webhook_client: httpx.AsyncClient | None = None,
               webhook_max_attempts: int = 4, webhook_backoff_s: float = 0.5) -> FastAPI:
    """An AfterShip emulator; mount it so its root stands for `.../tracking/2026-07`."""
    state = state if state is not None else AfterShipState()
    app = FastAPI(title="AfterShip Tracking sandbox (parcelsync)", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.aftership = state
    app.state.aftership_webhooks = WebhookDispatcher(state, webhook_client, max_attempts=webhook_max_attempts,
                                                     backoff_s=webhook_backoff_s)
    app.include_router(routes.router)
    app.include_router(admin.router)

    @app.exception_handler(AfterShipError)
    async def _api_error(request: Request, exc: AfterShipError) -> JSONResponse:
        return exc.response(getattr(request.state, "ratelimit_headers", None))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'][1:]))}: {e['msg']}" for e in exc.errors())
        return JSONResponse(envelope(400, None, problems), status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = str(exc.detail) if ADMIN_PREFIX in request.url.path else None
        return JSONResponse(envelope(exc.status_code, None, message), status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def _server_error(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(envelope(500), status_code=500)

    app.add_middleware(SandboxMiddleware, faults=state.faults, log=state.log)
    return app
