"""Activity: who changed which connection, override, token, user or setting, and when.

Admins see every entry (with the merchant); everyone else sees the chosen merchant's.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import HTMLResponse

from parcelsync.activity.queries import PAGE_SIZE, list_activity
from parcelsync.web.app import Page, db, page, render

router = APIRouter()


@router.get("/activity", response_class=HTMLResponse)
async def activity_page(
    request: Request,
    before: int | None = Query(None, ge=1),
    pg: Page = Depends(page),
    session: AsyncSession = Depends(db),
) -> HTMLResponse:
    admin = pg.session.user.is_admin
    entries = []
    if admin or pg.merchant_id is not None:
        entries = await list_activity(session, merchant_id=None if admin else pg.merchant_id, before=before)
    older = entries[-1].id if len(entries) == PAGE_SIZE else None
    return render(
        request, "activity.html", pg, nav="activity", entries=entries, older=older, all_merchants=admin,
        names=dict(pg.merchants),
    )
