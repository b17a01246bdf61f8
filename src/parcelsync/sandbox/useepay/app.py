"""The UseePay sandbox application: API routes at the root, admin under `/_sandbox/`."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse

from parcelsync.sandbox.middleware import SandboxMiddleware
from parcelsync.sandbox.useepay import admin, routes
from parcelsync.sandbox.useepay.errors import (
    INVALID_ARGUMENT,
    INVALID_REQUEST_ERROR,
    RESOURCE_NOT_FOUND,
    UseePayApiError,
    error_body,
    fault_body,
)
from parcelsync.sandbox.useepay.models import UseePayState


async def _api_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, UseePayApiError)
    return exc.response()


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = RESOURCE_NOT_FOUND if exc.status_code == 404 else INVALID_REQUEST_ERROR
    return JSONResponse(error_body(code, None, str(exc.detail)), status_code=exc.status_code)


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    """Admin payloads that do not validate: 400 in the v2 error shape, `source` the first bad field."""
    assert isinstance(exc, RequestValidationError)
    errors = exc.errors()
    source = ".".join(map(str, errors[0]["loc"][1:])) if errors else None
    message = "; ".join(f"{'.'.join(map(str, e['loc'][1:]))}: {e['msg']}" for e in errors)
    return JSONResponse(error_body(INVALID_ARGUMENT, source or None, message), status_code=400)


async def _server_error(_: Request, exc: Exception) -> JSONResponse:
    """A sandbox bug still answers in the v2 error shape (Starlette's plain-text 500 never leaks)."""
    return JSONResponse(fault_body(500, "Internal server error"), status_code=500)


def create_app(state: UseePayState | None = None) -> FastAPI:
    """A sandbox app over `state` (default: the seed's demo merchant), recorded and faulted by the middleware."""
    state = state if state is not None else UseePayState(demo=True)
    # The API's root belongs to UseePay's paths: the sandbox's own docs live under `/_sandbox/`.
    app = FastAPI(
        title="UseePay sandbox (parcelsync)", version="v2", docs_url="/_sandbox/docs", redoc_url=None,
        openapi_url="/_sandbox/openapi.json",
    )
    app.state.useepay = state
    app.include_router(routes.router)
    app.include_router(admin.router)
    app.add_exception_handler(UseePayApiError, _api_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _server_error)
    app.add_middleware(SandboxMiddleware, faults=state.faults, log=state.log)
    return app
