"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from parcelsync.api.deps import RuntimeDep
from parcelsync.db import migrate

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", responses={503: {"description": "database unreachable or not migrated"}})
async def readyz(runtime: RuntimeDep) -> JSONResponse:
    """The database answers and is migrated to the newest revision."""
    try:
        async with runtime.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        current = await migrate.is_current(runtime.engine)
    except Exception as exc:  # any driver error means "not ready", which is what the probe reports
        return JSONResponse({"status": "unavailable", "reason": f"database unreachable: {type(exc).__name__}"}, 503)
    if not current:
        return JSONResponse({"status": "unavailable", "reason": "database migrations are not current"}, 503)
    return JSONResponse({"status": "ready"})
