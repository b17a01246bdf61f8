"""/metrics, /healthz, /readyz and JSON request logs on the real app."""

from __future__ import annotations

import io
import json
from pathlib import Path

import httpx
import pytest
from prometheus_client import REGISTRY

from parcelsync.api import create_app
from parcelsync.db.crypto import generate_key
from parcelsync.logging import configure_logging
from parcelsync.settings import Settings

from .conftest import ALPHA, World, bearer

pytestmark = pytest.mark.anyio


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_metrics_count_ingest_and_show_the_outbox(world: World, http: httpx.AsyncClient) -> None:
    created = sample("parcelsync_ingest_shipments_total", source="api", result="created")
    rejected = sample("parcelsync_ingest_shipments_total", source="api", result="rejected")
    batch = {"items": [{"tracking_number": "1Z999AA10123456784"}, {"tracking_number": "1Z999AA10123456784", "x": 1}]}
    response = await http.post("/v1/shipments/batch", json=batch, headers=bearer(world.alpha_write))
    assert response.status_code == 200, response.text
    scrape = await http.get("/metrics")
    assert scrape.status_code == 200 and scrape.headers["content-type"].startswith("text/plain")
    assert sample("parcelsync_ingest_shipments_total", source="api", result="created") == created + 1
    assert sample("parcelsync_ingest_shipments_total", source="api", result="rejected") == rejected + 1
    # bravo's shipment waits for its TrackingMore connection: the gauge is computed from the database at scrape time
    assert 'parcelsync_sync_outbox_depth{provider="trackingmore"} 1.0' in scrape.text
    families = ("parcelsync_sync_latency_seconds", "parcelsync_sync_outcomes_total", "parcelsync_webhook_verifications")
    assert all(family in scrape.text for family in families)


async def test_private_metrics_need_an_admin_token(world: World, http: httpx.AsyncClient) -> None:
    world.app.state.runtime.settings.metrics_public = False
    try:
        anonymous = await http.get("/metrics")
        merchant = await http.get("/metrics", headers=bearer(world.alpha_read))
        admin = await http.get("/metrics", headers=bearer(world.admin))
    finally:
        world.app.state.runtime.settings.metrics_public = True
    assert anonymous.status_code == 401 and anonymous.headers["www-authenticate"] == "Bearer"
    assert merchant.status_code == 403
    assert admin.status_code == 200 and "parcelsync_ingest_shipments_total" in admin.text


async def test_a_metrics_token_is_the_only_way_in_when_set(world: World, http: httpx.AsyncClient) -> None:
    settings = world.app.state.runtime.settings
    settings.metrics_token = "metrics-scrape-token-0123456789"
    try:
        anonymous = await http.get("/metrics")
        wrong = await http.get("/metrics", headers=bearer("metrics-scrape-token-012345678"))
        admin = await http.get("/metrics", headers=bearer(world.admin))
        right = await http.get("/metrics", headers=bearer("metrics-scrape-token-0123456789"))
    finally:
        settings.metrics_token = None
    for refused in (anonymous, wrong, admin):
        assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
        assert "metrics-scrape-token" not in refused.text
    assert right.status_code == 200 and "parcelsync_ingest_shipments_total" in right.text
    assert (await http.get("/metrics")).status_code == 200  # unset again: public, as by default


async def test_health_and_readiness(world: World, http: httpx.AsyncClient, tmp_path: Path) -> None:
    assert (await http.get("/healthz")).json() == {"status": "ok"}
    assert (await http.get("/readyz")).status_code == 200
    for url in (f"sqlite+aiosqlite:///{tmp_path}/empty.db", f"sqlite+aiosqlite:///{tmp_path}/missing/dir/x.db"):
        app = create_app(Settings(database_url=url, secret_key=generate_key(), auto_migrate=False))
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            assert (await client.get("/healthz")).status_code == 200
            ready = await client.get("/readyz")
        assert ready.status_code == 503, url
        await app.state.runtime.engine.dispose()


async def test_request_logs_are_json_with_request_ids(world: World, http: httpx.AsyncClient) -> None:
    out = io.StringIO()
    configure_logging(fmt="json", stream=out)
    try:
        response = await http.get("/v1/shipments", headers={**bearer(world.admin), "X-Merchant-Id": ALPHA})
    finally:
        configure_logging(fmt="json")
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    (access,) = [line for line in lines if line["event"] == "request"]
    assert access["request_id"] == response.headers["x-request-id"]
    assert (access["method"], access["path"], access["status"]) == ("GET", "/v1/shipments", 200)
    assert world.admin not in out.getvalue()
