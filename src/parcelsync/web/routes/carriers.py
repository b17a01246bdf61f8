"""Carrier mapping: every carrier in the merchant's shipments, what each connected provider receives for it,
and inline overrides through the carrier override use case (`ingest.carrier_overrides`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import HTMLResponse, RedirectResponse, Response

from parcelsync.api.routes.carriers import OverrideIn
from parcelsync.connectors.carriers import default_registry
from parcelsync.connectors.registry import connector_for
from parcelsync.db.queries.carrier_overrides import registry_for
from parcelsync.domain.carriers import alias_key
from parcelsync.domain.provider import Provider
from parcelsync.ingest import carrier_overrides as overrides
from parcelsync.ingest.errors import pydantic_field_errors
from parcelsync.web import queries
from parcelsync.web.app import PREFIX, Page, db, page, post_page, render
from parcelsync.web.carrier_map import carrier_rows, cell
from parcelsync.web.changes import note_change

router = APIRouter()


@router.get("/carriers", response_class=HTMLResponse)
async def carriers(request: Request, pg: Page = Depends(page), session: AsyncSession = Depends(db)) -> HTMLResponse:
    if pg.merchant_id is None:
        return render(request, "empty.html", pg)
    connections = await queries.list_connections(session, pg.merchant_id)
    connectors = [connector_for(r.provider) for r in connections]
    registry = await registry_for(session, pg.merchant_id, default_registry())
    rows = carrier_rows(await queries.carrier_counts(session, pg.merchant_id), registry, connectors)
    return render(request, "carriers.html", pg, nav="carriers", rows=rows, connectors=connectors)


async def _cell(
    request: Request, pg: Page, session: AsyncSession, provider: Provider, carrier: str, *,
    message: str | None = None, error: str | None = None, status_code: int = 200,
) -> Response:
    if not request.headers.get("HX-Request"):
        return RedirectResponse(f"{PREFIX}/carriers", status_code=303)
    registry = await registry_for(session, pg.merchant_id or "", default_registry())
    shown = cell(connector_for(provider), carrier, registry)
    return render(request, "_carrier_cell.html", pg, status_code, c=shown, message=message, error=error)


def _resent(n: int) -> str:
    return f"{n} queued target{'' if n == 1 else 's'} will be sent again with the new name."


@router.post("/carriers/override", response_class=HTMLResponse)
async def set_override(
    request: Request, pg: Page = Depends(post_page), session: AsyncSession = Depends(db)
) -> Response:
    form = await request.form()
    merchant_id, provider, carrier = _target(pg, form)
    try:
        body = OverrideIn.model_validate({"code": str(form.get("code") or "")})
    except ValidationError as exc:
        reason = "; ".join(e.reason for e in pydantic_field_errors(exc.errors()))
        return await _cell(request, pg, session, provider, carrier, error=f"Name: {reason}", status_code=422)
    changed = await overrides.set_override(session, merchant_id, provider, carrier, body.code)
    await note_change(
        session, pg, "carrier_override.set", f"{connector_for(provider).name} {changed.row.carrier}",
        {"code": body.code, "resent": changed.resent}, merchant_id=merchant_id,
    )
    return await _cell(request, pg, session, provider, carrier, message=_resent(changed.resent))


@router.post("/carriers/override/delete", response_class=HTMLResponse)
async def delete_override(
    request: Request, pg: Page = Depends(post_page), session: AsyncSession = Depends(db)
) -> Response:
    merchant_id, provider, carrier = _target(pg, await request.form())
    resent = await overrides.delete_override(session, merchant_id, provider, carrier)
    if resent is None:
        return await _cell(request, pg, session, provider, carrier, message="There was no override to remove.")
    await note_change(
        session, pg, "carrier_override.removed", f"{connector_for(provider).name} {carrier}",
        {"resent": resent}, merchant_id=merchant_id,
    )
    return await _cell(request, pg, session, provider, carrier, message=_resent(resent))


def _target(pg: Page, form: Any) -> tuple[str, Provider, str]:
    """(merchant, provider, carrier) an override form names; 404 when one of them is not there."""
    try:
        provider = Provider(str(form.get("provider") or ""))
    except ValueError:
        raise HTTPException(404, "no such provider") from None
    carrier = str(form.get("carrier") or "")
    if pg.merchant_id is None or not alias_key(carrier):
        raise HTTPException(404, "no such carrier")
    return pg.merchant_id, provider, carrier
