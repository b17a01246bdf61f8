"""The SHOPLINE sandbox application: API routes + admin routes, wrapped in the shared SandboxMiddleware."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse, Response

from parcelsync.sandbox.middleware import SandboxMiddleware
from parcelsync.sandbox.shopline import admin, routes, store_routes
from parcelsync.sandbox.shopline.errors import error_body
from parcelsync.sandbox.shopline.models import ShoplineState


async def _http_error(request: Request, exc: Exception) -> Response:
    """Unknown paths and wrong methods answer in SHOPLINE's `{"errors": ...}` shape, with a traceId."""
    assert isinstance(exc, StarletteHTTPException)
    return JSONResponse(
        error_body(exc.status_code, str(exc.detail)),
        status_code=exc.status_code,
        headers={"traceId": routes.new_trace_id(), **(exc.headers or {})},
    )


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    """Admin payloads that do not validate: 422 with every problem listed."""
    detail = "; ".join(f"{'.'.join(map(str, e['loc'][1:]))}: {e['msg']}" for e in exc.errors())
    return JSONResponse(error_body(422, detail), status_code=422)


async def _server_error(request: Request, exc: Exception) -> Response:
    """A sandbox bug still answers `{"errors": ...}` with a traceId (Starlette's plain-text 500 never leaks)."""
    return JSONResponse(error_body(500, "Internal Server Error"), status_code=500,
                        headers={"traceId": routes.new_trace_id()})


def create_app(state: ShoplineState | None = None) -> FastAPI:
    """A SHOPLINE sandbox over `state` (default: the seeds' demo stores), reachable as `app.state.shopline`."""
    if state is None:
        state = ShoplineState(demo=True)
    app = FastAPI(title="parcelsync SHOPLINE sandbox", docs_url="/_sandbox/docs", openapi_url="/_sandbox/openapi.json")
    app.state.shopline = state
    app.include_router(admin.router)
    app.include_router(routes.router)
    app.include_router(store_routes.router)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _server_error)
    app.add_middleware(SandboxMiddleware, faults=state.faults, log=state.log)
    return app
