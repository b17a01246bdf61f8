"""Payments at risk: totals per currency, counts by reason, oldest first; one payment; its evidence pack."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import HTMLResponse, Response

from parcelsync.db.base import utcnow
from parcelsync.payments.evidence import build_pack
from parcelsync.payments.export import TooManyPacks, export_zip
from parcelsync.payments.paging import page_intents
from parcelsync.payments.pdf import render_pdf
from parcelsync.payments.risk import LABELS, Reason
from parcelsync.payments.service import IntentFilter, gateway_outcomes, get_intent
from parcelsync.sync.outbox import replay
from parcelsync.web.app import PREFIX, Page, db, page, post_page, render

router = APIRouter()
PAGE_ROWS = 200


def _day(text: str | None, default: date) -> date:
    try:
        return date.fromisoformat(text) if text else default
    except ValueError:
        return default


@router.get("/payments", response_class=HTMLResponse)
async def payments_at_risk(
    request: Request, pg: Page = Depends(page), session: AsyncSession = Depends(db)
) -> HTMLResponse:
    if pg.merchant_id is None:
        return render(request, "empty.html", pg)
    wanted = request.query_params.get("reason", "")
    reason = wanted if wanted in {r.value for r in Reason} else None
    now = utcnow()
    every = await page_intents(session, pg.merchant_id, IntentFilter(at_risk=True), now, limit=PAGE_ROWS)
    shown = every if reason is None else await page_intents(
        session, pg.merchant_id, IntentFilter(at_risk=True, reason=reason), now, limit=PAGE_ROWS
    )
    today = now.date()
    return render(
        request, "payments.html", pg, nav="payments", summary=every.summary, rows=shown.items,
        more=shown.total - PAGE_ROWS, reason=reason, labels={r.value: LABELS[r] for r in Reason},
        export_from=(today - timedelta(days=30)).isoformat(), export_to=today.isoformat(),
        flash=request.query_params.get("flash"),
    )


@router.get("/payments/export.zip")
async def export_packs(request: Request, pg: Page = Depends(page), session: AsyncSession = Depends(db)) -> Response:
    if pg.merchant_id is None:
        return render(request, "not_found.html", pg, status_code=404, what="merchant")
    today = utcnow().date()
    last = _day(request.query_params.get("to"), today)
    first = _day(request.query_params.get("from"), last - timedelta(days=30))
    try:
        data, _ = await export_zip(session, pg.merchant_id, min(first, last), max(first, last), utcnow())
    except TooManyPacks as exc:
        return render(request, "not_found.html", pg, status_code=422, what=str(exc))
    name = f"evidence-{first.isoformat()}-{last.isoformat()}.zip"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(data, media_type="application/zip", headers=headers)


@router.get("/payments/{intent_id}", response_class=HTMLResponse)
async def payment_page(
    intent_id: str, request: Request, pg: Page = Depends(page), session: AsyncSession = Depends(db)
) -> HTMLResponse:
    view = await get_intent(session, pg.merchant_id, intent_id, utcnow()) if pg.merchant_id else None
    if view is None or pg.merchant_id is None:
        return render(request, "not_found.html", pg, status_code=404, nav="payments", what="payment intent")
    connections = await gateway_outcomes(session, pg.merchant_id, view)
    return render(request, "payment.html", pg, nav="payments", view=view, connections=connections,
                  flash=request.query_params.get("flash"))


@router.get("/payments/{intent_id}/evidence.{fmt}")
async def evidence_pack(
    intent_id: str, fmt: str, request: Request, pg: Page = Depends(page), session: AsyncSession = Depends(db)
) -> Response:
    pack = await build_pack(session, pg.merchant_id, intent_id, utcnow()) if pg.merchant_id else None
    if pack is None or fmt not in ("pdf", "json"):
        return render(request, "not_found.html", pg, status_code=404, what="evidence pack")
    filename = f"evidence-{quote(intent_id, safe='')}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"', "X-Evidence-SHA256": pack.sha256}
    if fmt == "pdf":
        return Response(render_pdf(pack), media_type="application/pdf", headers=headers)
    return Response(pack.canonical_json, media_type="application/json", headers=headers)


@router.post("/payments/{intent_id}/retry")
async def retry_payment(
    intent_id: str, request: Request, pg: Page = Depends(post_page), session: AsyncSession = Depends(db)
) -> Response:
    """Replay the intent's parked or dead gateway targets; back to where the button was."""
    view = await get_intent(session, pg.merchant_id, intent_id, utcnow()) if pg.merchant_id else None
    if view is None or pg.merchant_id is None:
        return render(request, "not_found.html", pg, status_code=404, what="payment intent")
    ids = [g.target_id for g in view.facts.gateways if g.target_id is not None and g.state in ("parked", "dead")]
    replayed = await replay(session, now=utcnow(), ids=ids, merchant_id=pg.merchant_id) if ids else []
    flash = quote(f"Queued {len(replayed)} upload(s) of {intent_id} for retry" if replayed else "Nothing to retry")
    back = request.query_params.get("back") == "list"
    where = "payments" if back else f"payments/{quote(intent_id, safe='')}"
    target = f"{PREFIX}/{where}?flash={flash}"
    return Response(status_code=303, headers={"Location": target})
