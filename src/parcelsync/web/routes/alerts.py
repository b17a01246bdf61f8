"""Alerts: open, acknowledged and resolved alerts grouped by rule, with links to the shipments and Acknowledge."""

from __future__ import annotations

from itertools import groupby

from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import HTMLResponse

from parcelsync.alerts.evaluate import acknowledge
from parcelsync.alerts.rules import RULES
from parcelsync.db.base import utcnow
from parcelsync.db.tables import AlertRow
from parcelsync.web.app import Page, db, page, post_page, render

router = APIRouter()
STATES = ("open", "acknowledged", "resolved")


async def _groups(session: AsyncSession, merchant_id: str | None, state: str) -> list[dict[str, object]]:
    if merchant_id is None:
        return []
    rows = (
        await session.scalars(
            select(AlertRow)
            .where(AlertRow.merchant_id == merchant_id, AlertRow.state == state)
            .order_by(AlertRow.rule, AlertRow.id.desc())
            .limit(1000)
        )
    ).all()
    return [
        {"rule": rule, "description": RULES[rule].description if rule in RULES else rule, "alerts": list(items)}
        for rule, items in groupby(rows, key=lambda a: a.rule)
    ]


async def _counts(session: AsyncSession, merchant_id: str | None) -> dict[str, int]:
    if merchant_id is None:
        return dict.fromkeys(STATES, 0)
    rows = await session.execute(
        select(AlertRow.state, func.count()).where(AlertRow.merchant_id == merchant_id).group_by(AlertRow.state)
    )
    return {**dict.fromkeys(STATES, 0), **{s: int(n) for s, n in rows}}


@router.get("/alerts", response_class=HTMLResponse)
async def alerts(request: Request, pg: Page = Depends(page), session: AsyncSession = Depends(db)) -> HTMLResponse:
    state = request.query_params.get("state", "open")
    state = state if state in STATES else "open"
    return render(
        request,
        "alerts.html",
        pg,
        nav="alerts",
        state=state,
        states=STATES,
        groups=await _groups(session, pg.merchant_id, state),
        counts=await _counts(session, pg.merchant_id),
        flash=None,
    )


@router.post("/alerts/acknowledge", response_class=HTMLResponse)
async def acknowledge_one(
    request: Request, alert_id: int = Form(...), pg: Page = Depends(post_page), session: AsyncSession = Depends(db)
) -> HTMLResponse:
    done = None
    if pg.merchant_id is not None:
        done = await acknowledge(session, pg.merchant_id, alert_id, by=pg.session.user.username, now=utcnow())
    await session.flush()
    return render(
        request,
        "alerts.html",
        pg,
        nav="alerts",
        state="open",
        states=STATES,
        groups=await _groups(session, pg.merchant_id, "open"),
        counts=await _counts(session, pg.merchant_id),
        flash="Acknowledged" if done is not None else "No such alert",
    )
