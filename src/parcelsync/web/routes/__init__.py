"""The dashboard's routes, all under /dashboard."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import RedirectResponse

from parcelsync.web.app import PREFIX
from parcelsync.web.routes import (
    alerts,
    carriers,
    connection_edit,
    connections,
    imports,
    login,
    merchants,
    overview,
    payments,
    problems,
    settings,
    setup,
    shipments,
    store_backfill,
    webhooks_out,
)

router = APIRouter(include_in_schema=False)
for module in (
    login, overview, shipments, payments, problems, imports, connections, store_backfill, alerts, webhooks_out,
    settings,
    connection_edit,
    merchants,
    setup,
    carriers,
):
    router.include_router(module.router, prefix=PREFIX)


@router.get(PREFIX)
async def dashboard_root() -> RedirectResponse:
    return RedirectResponse(f"{PREFIX}/", status_code=307)


@router.get("/")
async def site_root() -> RedirectResponse:
    """People who open the server's root URL in a browser land on the dashboard."""
    return RedirectResponse(f"{PREFIX}/", status_code=307)
