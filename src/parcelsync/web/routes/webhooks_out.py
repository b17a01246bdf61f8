"""Webhooks: the merchant's endpoints, their recent deliveries, and Replay buttons (one delivery, or a time range)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import HTMLResponse

from parcelsync.db.base import utcnow
from parcelsync.outbound import deliveries
from parcelsync.outbound import endpoints as q
from parcelsync.outbound.log import delivery_counts, recent_attempts
from parcelsync.web.app import Page, db, page, post_page, render

router = APIRouter()
RANGES = {"1h": timedelta(hours=1), "24h": timedelta(hours=24), "7d": timedelta(days=7)}


async def _context(session: AsyncSession, merchant_id: str | None) -> list[dict[str, object]]:
    if merchant_id is None:
        return []
    return [
        {
            "endpoint": row,
            "counts": await delivery_counts(session, merchant_id, row.id),
            "attempts": await recent_attempts(session, merchant_id, row.id, limit=15),
        }
        for row in await q.list_endpoints(session, merchant_id)
    ]


@router.get("/webhooks", response_class=HTMLResponse)
async def webhooks(request: Request, pg: Page = Depends(page), session: AsyncSession = Depends(db)) -> HTMLResponse:
    items = await _context(session, pg.merchant_id)
    return render(request, "webhooks.html", pg, nav="webhooks", items=items, flash=request.query_params.get("done"))


@router.post("/webhooks/replay", response_class=HTMLResponse)
async def replay(
    request: Request,
    endpoint_id: int = Form(...),
    delivery_id: int | None = Form(None),
    window: str = Form("24h"),
    pg: Page = Depends(post_page),
    session: AsyncSession = Depends(db),
) -> HTMLResponse:
    """Replay one delivery (its Replay button) or everything of the last hour / day / week."""
    count = 0
    endpoint = await q.get_endpoint(session, pg.merchant_id, endpoint_id) if pg.merchant_id else None
    if endpoint is not None:
        now = utcnow()
        if delivery_id is not None:
            count = int(
                await deliveries.replay_delivery(
                    session, endpoint.merchant_id, delivery_id, now=now, endpoint_id=endpoint.id
                )
            )
        elif window in RANGES:
            count = await deliveries.replay_range(session, endpoint, since=now - RANGES[window], until=now, now=now)
    flash = f"{count} deliver{'ies' if count != 1 else 'y'} queued again"
    items = await _context(session, pg.merchant_id)
    return render(request, "webhooks.html", pg, nav="webhooks", items=items, flash=flash)
