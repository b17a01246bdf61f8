"""First run (admins): "Create your first store", then "Connect your providers", then "Import shipments"
(the CSV import page), then the overview. The overview sends an admin here while no merchant exists."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import HTMLResponse, RedirectResponse, Response

from parcelsync.connectors.registry import all_connectors
from parcelsync.web import queries
from parcelsync.web.app import MERCHANT_COOKIE, PREFIX, Page, db, render
from parcelsync.web.changes import note_change
from parcelsync.web.guards import admin_page, admin_post
from parcelsync.web.routes.merchants import FormErrors, create_from_form

router = APIRouter()


@router.get("/setup")
async def setup(pg: Page = Depends(admin_page)) -> RedirectResponse:
    """The first step not yet done."""
    step = "providers" if pg.merchant_id else "store"
    return RedirectResponse(f"{PREFIX}/setup/{step}", status_code=303)


@router.get("/setup/store", response_class=HTMLResponse)
async def store_form(request: Request, pg: Page = Depends(admin_page)) -> HTMLResponse:
    return render(request, "setup_store.html", pg, errors={}, values={})


@router.post("/setup/store", response_class=HTMLResponse)
async def create_store(
    request: Request, pg: Page = Depends(admin_post), session: AsyncSession = Depends(db)
) -> Response:
    form = await request.form()
    try:
        row = await create_from_form(session, form)
    except FormErrors as exc:
        values = {"id": str(form.get("id") or ""), "name": str(form.get("name") or "")}
        errors = {e.field: e.reason for e in exc.errors}
        return render(request, "setup_store.html", pg, 422, errors=errors, values=values)
    await note_change(session, pg, "merchant.created", row.name, {"id": row.id}, merchant_id=row.id)
    response = RedirectResponse(f"{PREFIX}/setup/providers?merchant={row.id}", status_code=303)
    response.set_cookie(MERCHANT_COOKIE, row.id, httponly=True, samesite="lax", path="/")
    return response


@router.get("/setup/providers", response_class=HTMLResponse)
async def providers(request: Request, pg: Page = Depends(admin_page), session: AsyncSession = Depends(db)) -> Response:
    if pg.merchant_id is None:
        return RedirectResponse(f"{PREFIX}/setup/store", status_code=303)
    rows = {r.provider: r for r in await queries.list_connections(session, pg.merchant_id)}
    listed = [(c, rows.get(c.id)) for c in all_connectors()]
    return render(request, "setup_providers.html", pg, providers=listed, connected=len(rows))
