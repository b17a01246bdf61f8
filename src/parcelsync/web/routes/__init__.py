"""The dashboard's routes, all under /dashboard."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from starlette.responses import RedirectResponse

from parcelsync.web.app import PREFIX, refuse_viewer_changes
from parcelsync.web.routes import (
    activity,
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
    tokens,
    users,
    webhooks_out,
)

# Every dashboard route, whichever module adds it, refuses a viewer's changes (web/app.py).
router = APIRouter(include_in_schema=False, dependencies=[Depends(refuse_viewer_changes)])
for module in (
    login, overview, shipments, payments, problems, imports, connections, store_backfill, alerts, webhooks_out,
    settings,
    connection_edit,
    merchants,
    setup,
    carriers,
    tokens, users, activity,
):
    router.include_router(module.router, prefix=PREFIX)


@router.get(PREFIX)
async def dashboard_root() -> RedirectResponse:
    return RedirectResponse(f"{PREFIX}/", status_code=307)


@router.get("/")
async def site_root() -> RedirectResponse:
    """People who open the server's root URL in a browser land on the dashboard."""
    return RedirectResponse(f"{PREFIX}/", status_code=307)
