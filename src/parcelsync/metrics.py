"""Prometheus metrics (default registry): ingest counts; sync outbox depth and age, latency, outcomes, 429s, webhooks.

The outbox gauges are refreshed from the database by `refresh_outbox_gauges` (the worker calls it
on every idle tick; a /metrics handler may call it before rendering).
"""

from __future__ import annotations

import collections
from collections.abc import Iterable
from datetime import datetime

from prometheus_client import Counter, Gauge, Histogram
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.domain.provider import Provider
from parcelsync.sync.state import sync_status

OUTBOX_DEPTH = Gauge(
    "parcelsync_sync_outbox_depth", "Targets waiting to be synced (state pending), per provider.", ["provider"]
)
OUTBOX_OLDEST_AGE = Gauge(
    "parcelsync_sync_outbox_oldest_age_seconds",
    "Age of the oldest pending target (since it was queued), per provider.",
    ["provider"],
)
OUTBOX_STATE = Gauge("parcelsync_sync_targets", "Targets per provider and state.", ["provider", "state"])
PAUSED_CONNECTIONS = Gauge(
    "parcelsync_sync_paused_connections", "Connections currently paused (429, auth, quota...).", ["provider"]
)
SYNC_LATENCY = Histogram(
    "parcelsync_sync_latency_seconds",
    "From a target being queued to the provider acknowledging it.",
    ["provider"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600),
)
CALL_LATENCY = Histogram(
    "parcelsync_provider_call_seconds",
    "Duration of one outbound provider call.",
    ["provider", "method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
CALLS = Counter("parcelsync_provider_calls_total", "Outbound provider calls by result code.", ["provider", "code"])
OUTCOMES = Counter(
    "parcelsync_sync_outcomes_total",
    "Per-target sync outcomes: synced, retry, parked, dead, paused; with the error code.",
    ["provider", "outcome", "code"],
)
RATE_LIMITED = Counter("parcelsync_sync_rate_limited_total", "429 answers received from providers.", ["provider"])
WEBHOOKS = Counter(
    "parcelsync_webhook_verifications_total",
    "Inbound webhooks by verification result (ok, bad_signature, unknown_merchant, duplicate, ignored).",
    ["provider", "result"],
)
INGESTED = Counter(
    "parcelsync_ingest_shipments_total",
    "Shipments received (API, CSV, CLI, demo) by source and result: created, updated, unchanged, rejected.",
    ["source", "result"],
)
STATUS_UPDATES = Counter(
    "parcelsync_status_updates_total", "Tracking updates applied to shipments, by source.", ["source"]
)


def record_ingest(source: str, results: Iterable[str]) -> None:
    """Count one upsert call's per-item results."""
    for result, count in collections.Counter(results).items():
        INGESTED.labels(source, result).inc(count)


async def refresh_outbox_gauges(session: AsyncSession, now: datetime) -> None:
    """Recompute the outbox gauges from the database."""
    status = await sync_status(session, now)
    for provider in Provider:
        queue = status.queues.get(provider.value)
        OUTBOX_DEPTH.labels(provider.value).set(queue.depth if queue else 0)
        OUTBOX_OLDEST_AGE.labels(provider.value).set(queue.oldest_age_s if queue and queue.oldest_age_s else 0)
        for state, count in (status.counts.get(provider.value) or {}).items():
            OUTBOX_STATE.labels(provider.value, state).set(count)
        PAUSED_CONNECTIONS.labels(provider.value).set(sum(1 for p in status.paused if p.provider == provider.value))
