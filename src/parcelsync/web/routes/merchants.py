"""Merchants (admins): list, create, rename, deactivate and reactivate, by the API's rules for names and ids.

Deactivating a merchant stops it without losing anything: its API tokens are refused (403), its
users see no pages, its buyer tracking page answers "not found", and the worker neither sends its
queued targets nor polls for it. Changes keep being accepted where they arrive signed by a provider
(status and store webhooks), so they are queued and go out once the merchant is reactivated.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import HTMLResponse, RedirectResponse, Response

from parcelsync.api.routes.merchants import MerchantCreate, MerchantPatch
from parcelsync.db.queries import merchants as store
from parcelsync.db.tables import MerchantRow
from parcelsync.ingest.errors import FieldError, pydantic_field_errors
from parcelsync.web.app import PREFIX, Page, db, render
from parcelsync.web.changes import note_change
from parcelsync.web.guards import admin_page, admin_post

router = APIRouter()


def read_merchant(form: Any) -> MerchantCreate:
    """The create form as the API's body: a blank id is generated."""
    merchant_id = str(form.get("id") or "").strip() or None
    return MerchantCreate.model_validate({"id": merchant_id, "name": str(form.get("name") or "")})


async def create_from_form(session: AsyncSession, form: Any) -> MerchantRow:
    """Create a merchant from a submitted form; raises FormErrors naming the fields."""
    try:
        body = read_merchant(form)
    except ValidationError as exc:
        raise FormErrors(pydantic_field_errors(exc.errors())) from None
    if body.id is not None and await store.get_merchant(session, body.id) is not None:
        raise FormErrors([FieldError("id", "already exists")])
    return await store.create_merchant(session, body.name, body.id)


class FormErrors(ValueError):
    """The form was rejected; `errors` names the fields."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{e.field}: {e.reason}" for e in errors))


async def _list(request: Request, pg: Page, session: AsyncSession, status_code: int = 200, **ctx: Any) -> HTMLResponse:
    rows = await store.list_all_merchants(session)
    ctx.setdefault("errors", {})
    ctx.setdefault("values", {})
    return render(request, "merchants.html", pg, status_code, nav="merchants", merchants=rows, **ctx)


@router.get("/merchants", response_class=HTMLResponse)
async def merchants(
    request: Request, pg: Page = Depends(admin_page), session: AsyncSession = Depends(db)
) -> HTMLResponse:
    return await _list(request, pg, session)


@router.post("/merchants", response_class=HTMLResponse)
async def create(request: Request, pg: Page = Depends(admin_post), session: AsyncSession = Depends(db)) -> Response:
    form = await request.form()
    try:
        row = await create_from_form(session, form)
    except FormErrors as exc:
        values = {"id": str(form.get("id") or ""), "name": str(form.get("name") or "")}
        return await _list(request, pg, session, 422, errors={e.field: e.reason for e in exc.errors}, values=values)
    await note_change(session, pg, "merchant.created", row.name, {"id": row.id}, merchant_id=row.id)
    return RedirectResponse(f"{PREFIX}/merchants", status_code=303)


@router.post("/merchants/{merchant_id}/rename", response_class=HTMLResponse)
async def rename(
    merchant_id: str, request: Request, pg: Page = Depends(admin_post), session: AsyncSession = Depends(db)
) -> Response:
    form = await request.form()
    try:
        body = MerchantPatch.model_validate({"name": str(form.get("name") or "")})
    except ValidationError as exc:
        errors = {f"name-{merchant_id}": e.reason for e in pydantic_field_errors(exc.errors())}
        return await _list(request, pg, session, 422, errors=errors)
    old = await store.get_merchant(session, merchant_id)
    if old is None:
        return render(request, "not_found.html", pg, 404, what="merchant")
    before = old.name
    await store.rename_merchant(session, merchant_id, body.name)
    await note_change(session, pg, "merchant.renamed", body.name, {"from": before}, merchant_id=merchant_id)
    return RedirectResponse(f"{PREFIX}/merchants", status_code=303)


async def _set_active(request: Request, pg: Page, session: AsyncSession, merchant_id: str, active: bool) -> Response:
    row = await store.set_active(session, merchant_id, active)
    if row is None:
        return render(request, "not_found.html", pg, 404, what="merchant")
    action = "merchant.reactivated" if active else "merchant.deactivated"
    await note_change(session, pg, action, row.name, merchant_id=merchant_id)
    return RedirectResponse(f"{PREFIX}/merchants", status_code=303)


@router.post("/merchants/{merchant_id}/deactivate")
async def deactivate(
    merchant_id: str, request: Request, pg: Page = Depends(admin_post), session: AsyncSession = Depends(db)
) -> Response:
    return await _set_active(request, pg, session, merchant_id, False)


@router.post("/merchants/{merchant_id}/reactivate")
async def reactivate(
    merchant_id: str, request: Request, pg: Page = Depends(admin_post), session: AsyncSession = Depends(db)
) -> Response:
    return await _set_active(request, pg, session, merchant_id, True)
