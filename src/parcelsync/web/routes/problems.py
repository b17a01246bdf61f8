"""Problems: parked and dead targets grouped by reason, with a bulk retry per group."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import HTMLResponse

from parcelsync.web import queries
from parcelsync.web.app import Page, db, page, post_page, render

router = APIRouter()


@router.get("/problems", response_class=HTMLResponse)
async def problems(request: Request, pg: Page = Depends(page), session: AsyncSession = Depends(db)) -> HTMLResponse:
    groups = await queries.problem_groups(session, pg.merchant_id) if pg.merchant_id else []
    return render(request, "problems.html", pg, nav="problems", groups=groups, flash=request.query_params.get("done"))


@router.post("/problems/retry", response_class=HTMLResponse)
async def retry_group(
    request: Request,
    provider: str = Form(...),
    state: str = Form(...),
    reason: str = Form(""),
    pg: Page = Depends(post_page),
    session: AsyncSession = Depends(db),
) -> HTMLResponse:
    count = await queries.retry_group(session, pg.merchant_id, provider, state, reason) if pg.merchant_id else 0
    groups = await queries.problem_groups(session, pg.merchant_id) if pg.merchant_id else []
    flash = f"{count} target{'s' if count != 1 else ''} queued for retry"
    template = "_problem_groups.html" if request.headers.get("HX-Request") else "problems.html"
    return render(request, template, pg, nav="problems", groups=groups, flash=flash)
