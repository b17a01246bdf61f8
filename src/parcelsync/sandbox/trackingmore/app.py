"""The TrackingMore v2 sandbox application (routes under `/v2`, admin under `/_sandbox`)."""

from __future__ import annotations

import httpx
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse

from parcelsync.sandbox.middleware import ADMIN_PREFIX, SandboxMiddleware
from parcelsync.sandbox.trackingmore import admin, routes
from parcelsync.sandbox.trackingmore.errors import TrackingMoreError, envelope, error_response
from parcelsync.sandbox.trackingmore.models import TrackingMoreState
from parcelsync.sandbox.trackingmore.webhooks import WebhookDispatcher


def create_app(
    state: TrackingMoreState | None = None,
    *,
    webhook_client: httpx.AsyncClient | None = None,
    webhook_max_attempts: int = 4,
    webhook_backoff_s: float = 0.5,
) -> FastAPI:
    """A TrackingMore v2 emulator; `base_url=http://host:port/v2` mirrors https://api.trackingmore.com/v2."""
    state = state or TrackingMoreState()
    app = FastAPI(title="TrackingMore v2 sandbox", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.trackingmore = state
    app.state.trackingmore_webhooks = WebhookDispatcher(
        state, webhook_client, max_attempts=webhook_max_attempts, backoff_s=webhook_backoff_s
    )
    app.include_router(routes.router)
    app.include_router(admin.router)

    @app.exception_handler(TrackingMoreError)
    async def _meta_error(request: Request, exc: TrackingMoreError) -> JSONResponse:
        return error_response(exc.code, exc.message)

    # Every answer, admin included, is the meta envelope: FastAPI's `{"detail": ...}` never leaks.
    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        if ADMIN_PREFIX in request.url.path:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'][1:]))}: {e['msg']}" for e in exc.errors())
            return JSONResponse(envelope(4012, None, problems), status_code=422)
        return error_response(4012)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = str(exc.detail) if ADMIN_PREFIX in request.url.path else None
        return JSONResponse(envelope(exc.status_code, None, message), status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def _server_error(request: Request, exc: Exception) -> JSONResponse:
        return error_response(500)

    app.add_middleware(SandboxMiddleware, faults=state.faults, log=state.log)
    return app
