"""Settings: the merchant's buyer tracking page (branding, embedding and CORS origins, tracking_page_links)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import HTMLResponse, RedirectResponse, Response

from parcelsync.db.queries.tracking_pages import get_page
from parcelsync.ingest.errors import pydantic_field_errors
from parcelsync.tracking_page.config import LinksNeedBaseUrl, TrackingPageIn, page_out, save_config
from parcelsync.web.app import PREFIX, Dashboard, Page, dashboard, db, page, post_page, render

router = APIRouter()
TEXT_FIELDS = ("display_name", "logo_url", "accent_color", "support_email", "message")
LIST_FIELDS = ("cors_origins", "frame_ancestors")


def _form_values(form: Any) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in TEXT_FIELDS:
        text = str(form.get(name) or "").strip()
        values[name] = text or None
    for name in LIST_FIELDS:
        text = str(form.get(name) or "")
        values[name] = [line.strip() for line in text.replace(",", "\n").splitlines() if line.strip()]
    values["tracking_page_links"] = form.get("tracking_page_links") == "on"
    return values


def _context(dash: Dashboard, pg: Page, values: dict[str, Any]) -> dict[str, Any]:
    base = (dash.settings.public_base_url or "").rstrip("/")
    return {
        "nav": "settings",
        "values": values,
        "lookup_path": f"/track/{pg.merchant_id}",
        "public_base_url": base or None,
    }


@router.get("/settings", response_class=HTMLResponse)
async def settings_form(
    request: Request,
    pg: Page = Depends(page),
    session: AsyncSession = Depends(db),
    dash: Dashboard = Depends(dashboard),
) -> HTMLResponse:
    if pg.merchant_id is None:
        return render(request, "empty.html", pg)
    values = page_out(pg.merchant_id, await get_page(session, pg.merchant_id), dash.settings).model_dump()
    saved = request.query_params.get("saved") == "1"
    return render(request, "settings.html", pg, **_context(dash, pg, values), errors=[], saved=saved)


@router.post("/settings", response_class=HTMLResponse)
async def settings_save(
    request: Request,
    pg: Page = Depends(post_page),
    session: AsyncSession = Depends(db),
    dash: Dashboard = Depends(dashboard),
) -> Response:
    if pg.merchant_id is None:
        return render(request, "empty.html", pg)
    values = _form_values(await request.form())
    try:
        body = TrackingPageIn.model_validate(values)
        await save_config(session, dash.settings, pg.merchant_id, body, actor=pg.actor)
    except ValidationError as exc:
        errors = [f"{e.field}: {e.reason}" for e in pydantic_field_errors(exc.errors())]
        return render(request, "settings.html", pg, 422, **_context(dash, pg, values), errors=errors, saved=False)
    except LinksNeedBaseUrl as exc:
        errors = [str(exc)]
        return render(request, "settings.html", pg, 422, **_context(dash, pg, values), errors=errors, saved=False)
    return RedirectResponse(f"{PREFIX}/settings?saved=1", status_code=303)
