"""`GET /metrics` for Prometheus; the outbox gauges are recomputed from the database at scrape time."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

from parcelsync.api.deps import SessionDep
from parcelsync.db.base import utcnow
from parcelsync.metrics import refresh_outbox_gauges

router = APIRouter(tags=["health"])


@router.get("/metrics", response_class=PlainTextResponse)
async def metrics(session: SessionDep) -> PlainTextResponse:
    """Prometheus text format; needs PARCELSYNC_METRICS_TOKEN when set, else an admin token unless
    PARCELSYNC_METRICS_PUBLIC is true."""
    await refresh_outbox_gauges(session, utcnow())
    return PlainTextResponse(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
