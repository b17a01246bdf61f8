"""Adding and editing a connection (admins): a form generated from the connector's models, tested before saving,
saved through the one "save connection" use case (`ingest.connections.change_connection`, mode `upsert`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import HTMLResponse, RedirectResponse, Response

from parcelsync.connectors.record import Connector
from parcelsync.connectors.registry import connector_for
from parcelsync.db.crypto import SecretKeyError
from parcelsync.db.queries import connections as store
from parcelsync.db.tables import ConnectionRow
from parcelsync.domain.models import Connection
from parcelsync.domain.provider import Provider
from parcelsync.ingest.connection_input import check_base_url, check_credentials, check_options
from parcelsync.ingest.connections import ConnectionChange, change_connection, default_base_url
from parcelsync.ingest.errors import FieldError, InvalidInput
from parcelsync.providers.errors import mask
from parcelsync.web.app import PREFIX, Dashboard, Page, dashboard, db, render
from parcelsync.web.changes import note_change
from parcelsync.web.connection_form import credential_fields, form_echo, option_fields, option_values, read_form
from parcelsync.web.guards import admin_page, admin_post
from parcelsync.web.probe import ProbeResult, test_connection

router = APIRouter()
NEXT_PAGES = {"setup": f"{PREFIX}/setup/providers", "connections": f"{PREFIX}/connections"}


@dataclass(frozen=True, slots=True)
class Target:
    """The connection a request is about: the page (with a merchant) and the provider's connector."""

    pg: Page
    merchant_id: str
    connector: Connector

    @property
    def provider(self) -> Provider:
        return self.connector.provider


def _target(provider: str, pg: Page) -> Target:
    if pg.merchant_id is None:
        raise HTTPException(404, "no merchant to connect yet")
    try:
        return Target(pg, pg.merchant_id, connector_for(provider))
    except ValueError:
        raise HTTPException(404, f"no provider {provider!r}") from None


def form_target(provider: str, pg: Page = Depends(admin_page)) -> Target:
    return _target(provider, pg)


def change_target(provider: str, pg: Page = Depends(admin_post)) -> Target:
    return _target(provider, pg)


def _stored_credentials(dash: Dashboard, row: ConnectionRow | None) -> dict[str, str]:
    if row is None:
        return {}
    try:
        return dash.cipher.decrypt(row.credentials_enc)
    except SecretKeyError:
        return {}


def _form_context(
    dash: Dashboard, pg: Page, connector: Connector, row: ConnectionRow | None, *,
    options: Mapping[str, str] | None = None, errors: list[FieldError] | None = None, next_page: str = "connections",
    base_url: str | None = None, enabled: bool | None = None,
) -> dict[str, Any]:
    stored = _stored_credentials(dash, row)
    by_field = {e.field: e.reason for e in errors or []}
    known = {f.name for f in credential_fields(connector) + option_fields(connector)} | {"base_url"}
    return {
        "nav": "connections",
        "connector": connector,
        "row": row,
        "credential_fields": credential_fields(connector),
        "option_fields": option_fields(connector),
        "stored": {k: mask(v) for k, v in stored.items()},
        "values": options if options is not None else option_values(connector.options, row.options if row else None),
        "base_url": base_url if base_url is not None else (row.base_url if row else ""),
        "production_url": connector.production_url,
        "enabled": enabled if enabled is not None else (row.enabled if row else True),
        "errors": by_field,
        "other_errors": [e for e in errors or [] if e.field not in known],
        "next": next_page if next_page in NEXT_PAGES else "connections",
        "merchant_id": pg.merchant_id,
    }


@router.get("/connections/{provider}/form", response_class=HTMLResponse)
async def connection_form(
    request: Request, t: Target = Depends(form_target), session: AsyncSession = Depends(db),
    dash: Dashboard = Depends(dashboard),
) -> HTMLResponse:
    row = await store.get_connection_row(session, t.merchant_id, t.provider)
    next_page = request.query_params.get("next", "connections")
    ctx = _form_context(dash, t.pg, t.connector, row, next_page=next_page)
    return render(request, "connection_form.html", t.pg, **ctx)


@router.post("/connections/{provider}", response_class=HTMLResponse)
async def save(
    request: Request, t: Target = Depends(change_target), session: AsyncSession = Depends(db),
    dash: Dashboard = Depends(dashboard),
) -> Response:
    form = await request.form()
    change = read_form(t.connector, form, allow_private=dash.settings.allow_private_base_urls)
    next_page = str(form.get("next") or "connections")
    try:
        row, created = await change_connection(session, dash.cipher, t.merchant_id, t.provider, change, mode="upsert")
    except InvalidInput as exc:
        existing = await store.get_connection_row(session, t.merchant_id, t.provider)
        ctx = _form_context(
            dash, t.pg, t.connector, existing, options=form_echo(t.connector, form), errors=list(exc.errors),
            next_page=next_page, base_url=change.base_url or "", enabled=change.enabled,
        )
        return render(request, "connection_form.html", t.pg, 422, **ctx)
    await note_change(
        session, t.pg, "connection.created" if created else "connection.changed", t.connector.name,
        {"credentials": sorted(change.credentials or {}), "options": sorted(change.options or {}),
         "enabled": row.enabled, "base_url": row.base_url},
        merchant_id=t.merchant_id,
    )
    return RedirectResponse(NEXT_PAGES.get(next_page, NEXT_PAGES["connections"]), status_code=303)


def _candidate(
    connector: Connector, merchant_id: str, row: ConnectionRow | None, stored: dict[str, str], change: ConnectionChange
) -> Connection:
    """The connection the form describes (stored credentials under the blank ones), validated but not saved."""
    provider = connector.provider
    given = check_credentials(provider, change.credentials or {}, complete=False)
    credentials = check_credentials(provider, {**stored, **given}, complete=True)
    stored_options = dict(row.options or {}) if row is not None else {}
    options = check_options(provider, {**stored_options, **(change.options or {})}, fill_defaults=True)
    if change.base_url:
        url = check_base_url(change.base_url, provider, allow_private=change.allow_private_base_url)
    elif row is not None:
        url = row.base_url
    else:
        url = default_base_url(provider, credentials)
    return Connection(merchant_id, provider, url, credentials, options)


@router.post("/connections/{provider}/check", response_class=HTMLResponse)
async def check(
    request: Request, t: Target = Depends(change_target), session: AsyncSession = Depends(db),
    dash: Dashboard = Depends(dashboard),
) -> HTMLResponse:
    """"Test connection" on the form as filled in, before anything is saved (without htmx: the form again, with
    the verdict; credentials are not echoed, so they are typed again)."""
    row = await store.get_connection_row(session, t.merchant_id, t.provider)
    form = await request.form()
    change = read_form(t.connector, form, allow_private=dash.settings.allow_private_base_urls)
    try:
        conn = _candidate(t.connector, t.merchant_id, row, _stored_credentials(dash, row), change)
    except InvalidInput as exc:
        result = ProbeResult(False, "Fix the form first: " + "; ".join(f"{e.field}: {e.reason}" for e in exc.errors))
    else:
        async with dash.http_factory() as http:
            result = await test_connection(conn, http)
    if request.headers.get("HX-Request"):
        return render(request, "_probe.html", t.pg, result=result)
    ctx = _form_context(
        dash, t.pg, t.connector, row, options=form_echo(t.connector, form), next_page=str(form.get("next") or ""),
        base_url=change.base_url or "", enabled=change.enabled,
    )
    return render(request, "connection_form.html", t.pg, **ctx, result=result)


async def _set_enabled(t: Target, enabled: bool, session: AsyncSession, dash: Dashboard, request: Request) -> Response:
    if await store.get_connection_row(session, t.merchant_id, t.provider) is None:
        return render(request, "not_found.html", t.pg, 404, what="connection")
    change = ConnectionChange(enabled=enabled)
    await change_connection(session, dash.cipher, t.merchant_id, t.provider, change, mode="merge")
    action = "connection.enabled" if enabled else "connection.disabled"
    await note_change(session, t.pg, action, t.connector.name, merchant_id=t.merchant_id)
    return RedirectResponse(f"{PREFIX}/connections", status_code=303)


@router.post("/connections/{provider}/enable")
async def enable(
    request: Request, t: Target = Depends(change_target), session: AsyncSession = Depends(db),
    dash: Dashboard = Depends(dashboard),
) -> Response:
    return await _set_enabled(t, True, session, dash, request)


@router.post("/connections/{provider}/disable")
async def disable(
    request: Request, t: Target = Depends(change_target), session: AsyncSession = Depends(db),
    dash: Dashboard = Depends(dashboard),
) -> Response:
    return await _set_enabled(t, False, session, dash, request)
