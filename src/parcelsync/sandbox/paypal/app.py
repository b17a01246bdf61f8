"""The PayPal sandbox application: REST paths at the root (as on api-m.paypal.com), admin under `/_sandbox/`."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse

from parcelsync.sandbox.middleware import ADMIN_PREFIX, SandboxMiddleware
from parcelsync.sandbox.paypal import admin, routes
from parcelsync.sandbox.paypal.common import TokenProblem
from parcelsync.sandbox.paypal.errors import PayPalApiError, detail, error_body
from parcelsync.sandbox.paypal.models import PayPalState


def create_app(state: PayPalState | None = None) -> FastAPI:
    """A PayPal REST emulator over `state` (default: the docs' demo app, order and transactions)."""
    state = state if state is not None else PayPalState(demo=True)
    app = FastAPI(title="PayPal sandbox (parcelsync)", docs_url="/_sandbox/docs", redoc_url=None,
                  openapi_url="/_sandbox/openapi.json")
    app.state.paypal = state
    app.include_router(routes.router)
    app.include_router(admin.router)

    @app.exception_handler(PayPalApiError)
    async def _api_error(request: Request, exc: PayPalApiError) -> JSONResponse:
        return exc.response()

    @app.exception_handler(TokenProblem)
    async def _token(request: Request, exc: TokenProblem) -> JSONResponse:
        return exc.response()

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [detail("INVALID_PARAMETER_VALUE", str(e.get("msg")), "/" + "/".join(map(str, e["loc"][1:])))
                   for e in exc.errors()]
        return JSONResponse(error_body(400, details), status_code=400)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = str(exc.detail) if ADMIN_PREFIX in request.url.path else None
        return JSONResponse(error_body(exc.status_code, message=message), status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def _server_error(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(error_body(500), status_code=500)

    app.add_middleware(SandboxMiddleware, faults=state.faults, log=state.log)
    return app
