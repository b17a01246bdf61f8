"""Import: upload a CSV, preview it with per-row errors (a dry run), confirm, and follow the progress."""

from __future__ import annotations

from fastapi import APIRouter, Depends, File, Request, UploadFile
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import HTMLResponse, RedirectResponse, Response

from parcelsync.ingest.schema import SHIPMENT_FIELDS
from parcelsync.web import queries
from parcelsync.web.app import PREFIX, Dashboard, Page, dashboard, db, page, post_page, render

router = APIRouter()
CHUNK_BYTES = 64 * 1024


def _limits(dash: Dashboard) -> dict[str, int]:
    return {"max_row_bytes": dash.settings.import_max_row_bytes, "max_rows": dash.settings.import_max_rows}


@router.get("/import", response_class=HTMLResponse)
async def import_form(request: Request, pg: Page = Depends(page), session: AsyncSession = Depends(db)) -> HTMLResponse:
    """While the merchant has no shipment yet this is the first run's third step."""
    first_run = pg.merchant_id is not None and not await queries.has_shipments(session, pg.merchant_id)
    return render(
        request, "import.html", pg, nav="import", job=None, columns=SHIPMENT_FIELDS, error=None, first_run=first_run
    )


@router.post("/import", response_class=HTMLResponse)
async def upload(
    request: Request,
    file: UploadFile = File(...),
    pg: Page = Depends(post_page),
    dash: Dashboard = Depends(dashboard),
) -> Response:
    """Spool the upload to disk in chunks, then start the dry run and show its page."""
    if pg.merchant_id is None:
        return render(request, "empty.html", pg)
    path = dash.imports.new_path()
    size = lines = 0
    with path.open("wb") as out:
        while chunk := await file.read(CHUNK_BYTES):
            size += len(chunk)
            lines += chunk.count(b"\n")
            out.write(chunk)
    if size == 0:
        path.unlink(missing_ok=True)
        error = "The file is empty: choose a CSV file with a header line."
        return render(request, "import.html", pg, 400, nav="import", job=None, columns=SHIPMENT_FIELDS, error=error)
    name = (file.filename or "upload.csv").rsplit("/", 1)[-1][:200]
    job = dash.imports.add(pg.merchant_id, name, path, size, lines + 1)
    dash.imports.check(job, dash.sessions, **_limits(dash))
    return RedirectResponse(f"{PREFIX}/import/{job.id}", status_code=303)


@router.get("/import/{job_id}", response_class=HTMLResponse)
async def job_page(
    job_id: str, request: Request, pg: Page = Depends(page), dash: Dashboard = Depends(dashboard)
) -> Response:
    job = dash.imports.get(job_id, pg.merchant_id) if pg.merchant_id else None
    if job is None:
        return render(request, "not_found.html", pg, 404, nav="import", what="upload (it may have expired)")
    return render(request, "import.html", pg, nav="import", job=job, columns=SHIPMENT_FIELDS, error=None)


@router.get("/import/{job_id}/progress", response_class=HTMLResponse)
async def job_progress(
    job_id: str, request: Request, pg: Page = Depends(page), dash: Dashboard = Depends(dashboard)
) -> Response:
    """The progress bar, polled by htmx; once the job has finished the whole page reloads."""
    job = dash.imports.get(job_id, pg.merchant_id) if pg.merchant_id else None
    if job is None or not job.busy:
        return Response(status_code=200, headers={"HX-Refresh": "true"})
    return render(request, "_import_progress.html", pg, job=job)


@router.post("/import/{job_id}/confirm", response_class=HTMLResponse)
async def confirm(
    job_id: str, request: Request, pg: Page = Depends(post_page), dash: Dashboard = Depends(dashboard)
) -> Response:
    job = dash.imports.get(job_id, pg.merchant_id) if pg.merchant_id else None
    if job is None:
        return render(request, "not_found.html", pg, 404, nav="import", what="upload (it may have expired)")
    dash.imports.confirm(job, dash.sessions, **_limits(dash))
    return RedirectResponse(f"{PREFIX}/import/{job.id}", status_code=303)
