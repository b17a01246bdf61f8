"""Connections: per provider, status, masked credentials, pause reason, and a "test connection" button."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import HTMLResponse

from parcelsync.connectors.registry import all_connectors, connector_for, inbound_source
from parcelsync.connectors.webhook_paths import inbound_webhook_path
from parcelsync.db.base import utcnow
from parcelsync.db.crypto import SecretKeyError
from parcelsync.db.tables import ConnectionRow
from parcelsync.domain.models import Connection
from parcelsync.domain.provider import Provider
from parcelsync.web import queries
from parcelsync.web.app import Dashboard, Page, dashboard, db, page, post_page, render
from parcelsync.web.formatting import masked_credentials
from parcelsync.web.guards import is_admin
from parcelsync.web.probe import ProbeResult, test_connection

router = APIRouter()


def _credentials(dash: Dashboard, row: ConnectionRow) -> dict[str, str] | None:
    """Decrypted credentials, or None when the configured key cannot read them."""
    try:
        return dash.cipher.decrypt(row.credentials_enc)
    except SecretKeyError:
        return None


def _public(row: ConnectionRow) -> tuple[str, ...]:
    return connector_for(Provider(row.provider)).public_credentials


def webhook_url(dash: Dashboard, request: Request, provider: str, merchant_id: str) -> str | None:
    """The full URL this merchant gives the provider for its webhooks (public base URL, else this server's)."""
    path = inbound_webhook_path(connector_for(provider), merchant_id)
    if path is None:
        return None
    base = (dash.settings.public_base_url or str(request.base_url)).rstrip("/")
    return base + path


def _view(dash: Dashboard, request: Request, row: ConnectionRow) -> dict[str, object]:
    creds = _credentials(dash, row)
    paused = row.paused_until is not None and row.paused_until > utcnow()
    status = "disabled" if not row.enabled else ("paused" if paused else "active")
    return {
        "row": row,
        "status": status,
        "paused": paused,
        "credentials": masked_credentials(creds, _public(row)) if creds is not None else None,
        "options": sorted((row.options or {}).items()),
        "store_source": inbound_source(row.provider) is not None,
        "webhook_url": webhook_url(dash, request, row.provider, row.merchant_id),
    }


@router.get("/connections", response_class=HTMLResponse)
async def connections(
    request: Request,
    pg: Page = Depends(page),
    session: AsyncSession = Depends(db),
    dash: Dashboard = Depends(dashboard),
) -> HTMLResponse:
    rows = await queries.list_connections(session, pg.merchant_id) if pg.merchant_id else []
    connected = {r.provider for r in rows}
    return render(
        request, "connections.html", pg, nav="connections", connections=[_view(dash, request, r) for r in rows],
        unconnected=[c for c in all_connectors() if c.id not in connected], admin=is_admin(pg),
    )


@router.post("/connections/{connection_id}/test", response_class=HTMLResponse)
async def test(
    connection_id: int,
    request: Request,
    pg: Page = Depends(post_page),
    session: AsyncSession = Depends(db),
    dash: Dashboard = Depends(dashboard),
) -> HTMLResponse:
    row = await queries.get_connection(session, pg.merchant_id, connection_id) if pg.merchant_id else None
    if row is None:
        return render(request, "not_found.html", pg, status_code=404, what="connection")
    creds = _credentials(dash, row)
    if creds is None:
        result = ProbeResult(False, "Stored credentials cannot be decrypted with the configured secret key")
    else:
        conn = Connection(row.merchant_id, Provider(row.provider), row.base_url, creds, dict(row.options or {}))
        async with dash.http_factory() as http:
            result = await test_connection(conn, http)
    return render(request, "_probe.html", pg, result=result, connection_id=connection_id)
