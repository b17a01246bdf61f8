"""Backfill from the store, from the connection's card: start it, then follow its progress bar.

The run itself is `ingest.store.backfill.run_backfill` (the same as `parcelsync <store> backfill`):
resumable from its stored cursor, so a run cut short by a restart continues when started again.
One run per merchant and store at a time in this process; the progress is read from the database.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import HTMLResponse

from parcelsync.connectors.inbound import StoreSource
from parcelsync.connectors.registry import inbound_source
from parcelsync.db.base import utcnow
from parcelsync.ingest.store.backfill import BackfillProgress, backfill_status, run_backfill
from parcelsync.logging import get_logger
from parcelsync.web import queries
from parcelsync.web.app import Dashboard, Page, dashboard, db, page, post_page, render

router = APIRouter()
log = get_logger("parcelsync.web.store_backfill")
_RUNS: dict[tuple[str, str], asyncio.Task[BackfillProgress]] = {}


def _running(merchant_id: str, source: StoreSource) -> bool:
    task = _RUNS.get((merchant_id, source.provider.value))
    return task is not None and not task.done()


async def _run(dash: Dashboard, source: StoreSource, merchant_id: str, days: int) -> BackfillProgress:
    async with dash.http_factory() as http:
        try:
            return await run_backfill(dash.sessions, dash.cipher, source, merchant_id, days=days, http=http, now=utcnow)
        except Exception as exc:
            log.warning("backfill_failed", merchant_id=merchant_id, error=type(exc).__name__)
            raise


def _percent(progress: BackfillProgress | None) -> int:
    if progress is None:
        return 0
    if progress.state == "done":
        return 100
    return min(99, int(100 * progress.pass_index / max(1, progress.passes)) + min(progress.pages, 9))


async def _render(request: Request, pg: Page, session: AsyncSession, connection_id: int, source: StoreSource,
                  status_code: int = 200, error: str | None = None) -> HTMLResponse:
    assert pg.merchant_id is not None
    progress = await backfill_status(session, source, pg.merchant_id)
    context: dict[str, Any] = {"progress": progress, "percent": _percent(progress), "error": error,
                               "running": _running(pg.merchant_id, source), "connection_id": connection_id}
    return render(request, "_backfill_progress.html", pg, status_code, **context)


async def _source_for(session: AsyncSession, pg: Page, connection_id: int) -> StoreSource | None:
    row = await queries.get_connection(session, pg.merchant_id, connection_id) if pg.merchant_id else None
    return inbound_source(row.provider) if row is not None else None


@router.post("/connections/{connection_id}/backfill", response_class=HTMLResponse)
async def start_backfill(
    connection_id: int,
    request: Request,
    days: int = Form(60, ge=1, le=3650),
    pg: Page = Depends(post_page),
    session: AsyncSession = Depends(db),
    dash: Dashboard = Depends(dashboard),
) -> HTMLResponse:
    source = await _source_for(session, pg, connection_id)
    if source is None or pg.merchant_id is None:
        return render(request, "not_found.html", pg, status_code=404, what="store connection")
    if not _running(pg.merchant_id, source):
        _RUNS[(pg.merchant_id, source.provider.value)] = asyncio.create_task(_run(dash, source, pg.merchant_id, days))
        await asyncio.sleep(0)
    return await _render(request, pg, session, connection_id, source, 202)


@router.get("/connections/{connection_id}/backfill", response_class=HTMLResponse)
async def backfill_progress(
    connection_id: int,
    request: Request,
    pg: Page = Depends(page),
    session: AsyncSession = Depends(db),
) -> HTMLResponse:
    source = await _source_for(session, pg, connection_id)
    if source is None or pg.merchant_id is None:
        return render(request, "not_found.html", pg, status_code=404, what="store connection")
    task = _RUNS.get((pg.merchant_id, source.provider.value))
    error = None
    if task is not None and task.done() and not task.cancelled() and task.exception() is not None:
        error = f"stopped: {task.exception()}; start it again to resume"
    return await _render(request, pg, session, connection_id, source, error=error)
