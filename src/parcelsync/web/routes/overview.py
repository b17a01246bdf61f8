"""Overview: delivery status counts, sync health per destination, paused connections, charts."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import HTMLResponse, RedirectResponse, Response

from parcelsync.db.base import utcnow
from parcelsync.domain.provider import Provider
from parcelsync.payments.service import at_risk_summary_if_ready
from parcelsync.sync.state import sync_status
from parcelsync.web import queries
from parcelsync.web.app import PREFIX, Dashboard, Page, dashboard, db, page, render
from parcelsync.web.guards import is_admin

router = APIRouter()


@router.get("/", response_class=HTMLResponse, response_model=None)
async def overview(
    request: Request,
    pg: Page = Depends(page),
    session: AsyncSession = Depends(db),
    dash: Dashboard = Depends(dashboard),
) -> Response:
    """Sync health is live; parcel statistics (full scans of the merchant's rows) are cached for a minute; a large
    merchant's payments at risk come from its risk index (`payments.risk_cache`), never waited for."""
    if pg.merchant_id is None:
        if is_admin(pg):
            return RedirectResponse(f"{PREFIX}/setup/store", status_code=303)
        return render(request, "empty.html", pg)
    mid = pg.merchant_id
    status = await sync_status(session, utcnow(), merchant_id=mid)
    connected = {c.provider for c in await queries.list_connections(session, mid)}
    health = [
        (p.value, status.counts.get(p.value, {}), status.queues.get(p.value))
        for p in Provider
        if p.value in connected or any(status.counts.get(p.value, {}).values())
    ]
    stats = dash.stats.get(mid)
    if stats is None:
        stats = dash.stats.put(mid, await queries.parcel_stats(session, mid))
    counts, days, times = stats.counts, stats.days, stats.times
    charts = {
        "daily": {
            "labels": [d.day.strftime("%m-%d") for d in days],
            "shipped": [d.shipped for d in days],
            "delivered": [d.delivered for d in days],
        },
        "times": {
            "labels": [t.carrier for t in times[:12]],
            "median": [t.median_days for t in times[:12]],
            "p90": [t.p90_days for t in times[:12]],
        },
    }
    return render(
        request,
        "overview.html",
        pg,
        nav="overview",
        counts=counts,
        total=sum(counts.values()),
        health=health,
        paused=[(p, datetime.fromisoformat(p.paused_until) if p.paused_until else None) for p in status.paused],
        days=days,
        times=times,
        charts=charts,
        stats_at=stats.computed_at,
        states=queries.SYNC_STATES,
        at_risk=await at_risk_summary_if_ready(session, mid, utcnow()),
    )
