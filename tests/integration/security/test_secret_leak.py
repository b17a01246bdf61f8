"""A full sync with recognisable secrets: no log line, API response, audit row or dashboard page shows them.

In-process: the API (with the dashboard), the three sandboxes, a worker and TrackingMore's webhooks
pushed back into the API. One merchant syncs normally; a second one has a key UseePay refuses, so
the error paths (auth failure, paused connection, parked reason) are exercised too.
"""

from __future__ import annotations

import io
import json
import logging
import re
import time
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from parcelsync.api import create_app
from parcelsync.db.crypto import generate_key
from parcelsync.db.tables import AuditRow, ConnectionRow, SyncTargetRow, WebhookDeliveryRow
from parcelsync.domain.provider import Provider
from parcelsync.ingest.demo import s10_number
from parcelsync.logging import configure_logging
from parcelsync.providers.trackingmore.webhook import sign
from parcelsync.sandbox.link import SandboxAccounts, open_sandbox_accounts
from parcelsync.sandbox.server import Sandboxes, SandboxUrls
from parcelsync.sandbox.server import create_app as create_sandbox_app
from parcelsync.security.tokens import Scope, issue_token
from parcelsync.settings import Settings
from parcelsync.sync.worker import Worker

pytestmark = pytest.mark.anyio

USEEPAY_KEY = "SECRET-useepay-XYZ123"
SHOPLINE_TOKEN = "SECRET-shopline-XYZ123"
TRACKINGMORE_KEY = "SECRET-trackingmore-XYZ123"
SIGNING_EMAIL = "secret-signing-xyz123@example.com"
REFUSED_KEY = "SECRET-refused-useepay-XYZ123"
ADMIN_PASSWORD = "SECRET-dashboard-XYZ123"
SECRETS = (USEEPAY_KEY, SHOPLINE_TOKEN, TRACKINGMORE_KEY, SIGNING_EMAIL, REFUSED_KEY, ADMIN_PASSWORD)
HUB = "http://hub"
FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def leaks(text: str) -> list[str]:
    lowered = text.lower()
    return [s for s in SECRETS if s.lower() in lowered]


async def test_a_full_sync_leaks_no_secret(database_url: str, caplog: pytest.LogCaptureFixture) -> None:
    logs = io.StringIO()
    configure_logging(level="DEBUG", fmt="json", stream=logs)
    caplog.set_level(logging.DEBUG)
    responses: list[tuple[str, str]] = []

    async def capture(response: httpx.Response) -> None:
        await response.aread()
        responses.append((f"{response.request.method} {response.request.url}", response.text))

    settings = Settings(
        database_url=database_url, secret_key=generate_key(), admin_password=ADMIN_PASSWORD, auto_migrate=False
    )
    api = create_app(settings)
    runtime = api.state.runtime
    hub = httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url=HUB, event_hooks={"response": [capture]})
    sandboxes = Sandboxes()
    sandbox_app = create_sandbox_app(sandboxes, webhook_client=hub)
    sandbox = httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox_app), base_url="http://sandbox", timeout=30)
    urls = SandboxUrls("http://sandbox")
    accounts = SandboxAccounts(
        useepay_api_key=USEEPAY_KEY, shopline_token=SHOPLINE_TOKEN, trackingmore_api_key=TRACKINGMORE_KEY,
        account_email=SIGNING_EMAIL, shopline_rate_limit=False,
    )  # fmt: skip
    try:
        await open_sandbox_accounts(sandbox, urls, accounts, webhook_url=f"{HUB}/v1/webhooks/trackingmore/alpha")
        admin = {"Authorization": f"Bearer {(await issue_token(runtime.sessions, scope=Scope.ADMIN)).secret}"}
        await _set_up_merchants(hub, admin, urls, accounts)
        shipment_ids = await _ship(hub, admin)

        worker = Worker(runtime.sessions, settings, http=sandbox, cipher=runtime.cipher, concurrency=2)
        for _ in range(3):
            await worker.run_once()
        advanced = await sandbox.post("/trackingmore/_sandbox/clock/advance", json={"seconds": 10 * 86400})
        assert advanced.status_code == 200, advanced.text
        await _hostile_webhooks(hub)
        for shipment_id in shipment_ids:
            for path in (f"/v1/shipments/{shipment_id}", f"/v1/shipments/{shipment_id}/audit"):
                assert (await hub.get(path, headers={**admin, "X-Merchant-Id": "alpha"})).status_code == 200
        for merchant in ("alpha", "bravo"):
            await hub.get(f"/v1/merchants/{merchant}/connections", headers=admin)
            await hub.get("/v1/sync/status", headers={**admin, "X-Merchant-Id": merchant})
        await hub.get("/v1/shipments/export.csv", headers={**admin, "X-Merchant-Id": "alpha"})
        await hub.get("/metrics")
        pages = await _dashboard_pages(hub, shipment_ids[0])
        stored = await _stored_rows(runtime.sessions)
    finally:
        await sandbox.aclose()
        await hub.aclose()
        await runtime.engine.dispose()
        configure_logging(level="INFO", fmt="json")

    # the run really did what it claims: calls were made and audited, webhooks came back, bravo was refused
    assert stored["audit"] and {row["provider"] for row in stored["audit"]} == {"useepay", "shopline", "trackingmore"}
    assert any(row["status"] == 401 for row in stored["audit"] if row["merchant_id"] == "bravo")
    assert stored["webhooks"] >= 1
    assert sandboxes.trackingmore.accounts[TRACKINGMORE_KEY].trackings
    assert len(pages) == 5 and all("<html" in page.lower() for page in pages)
    assert logs.getvalue().count("\n") > 20

    found = {
        "log lines": leaks(logs.getvalue()),
        "caplog": leaks(caplog.text) + leaks("\n".join(r.getMessage() for r in caplog.records)),
        "api responses": [(where, s) for where, text in responses for s in leaks(text)],
        "audit/outbox/connection rows": leaks(json.dumps(stored, default=str)),
        "dashboard": leaks("\n".join(pages)),
    }
    assert found == {k: [] for k in found}


async def _set_up_merchants(
    hub: httpx.AsyncClient, admin: dict[str, str], urls: SandboxUrls, a: SandboxAccounts
) -> None:
    for merchant in ("alpha", "bravo"):
        created = await hub.post("/v1/merchants", json={"id": merchant, "name": merchant}, headers=admin)
        assert created.status_code == 201
    refused = {**a.credentials(Provider.USEEPAY), "api_key": REFUSED_KEY}
    connections: list[tuple[str, str, dict[str, Any]]] = [
        ("alpha", "useepay", {"base_url": urls.useepay, "credentials": a.credentials(Provider.USEEPAY)}),
        ("alpha", "shopline", {"base_url": urls.shopline(a.shop_handle),
                               "credentials": a.credentials(Provider.SHOPLINE),
                               "options": {"rate_per_second": 1000, "bucket_size": 1000}}),
        ("alpha", "trackingmore", {"base_url": urls.trackingmore,
                                   "credentials": a.credentials(Provider.TRACKINGMORE)}),
        ("bravo", "useepay", {"base_url": urls.useepay, "credentials": refused}),
    ]  # fmt: skip
    for merchant, provider, body in connections:
        response = await hub.put(f"/v1/merchants/{merchant}/connections/{provider}", json=body, headers=admin)
        assert response.status_code == 201, response.text


async def _ship(hub: httpx.AsyncClient, admin: dict[str, str]) -> list[int]:
    ids = []
    for merchant, n in (("alpha", 1), ("alpha", 2), ("alpha", 3), ("bravo", 4)):
        body = {"tracking_number": s10_number(n), "payment_intent_id": f"pi_{n}", "order_id": f"o{n}",
                "fulfillment_id": f"f{n}", "customer_email": f"buyer{n}@example.com"}  # fmt: skip
        response = await hub.post("/v1/shipments", json=body, headers={**admin, "X-Merchant-Id": merchant})
        assert response.status_code == 201, response.text
        if merchant == "alpha":
            ids.append(response.json()["id"])
    return ids


async def _hostile_webhooks(hub: httpx.AsyncClient) -> None:
    """A forged signature, a stale timestamp and a replay of a valid delivery: all harmless."""
    stale = str(int(time.time()) - 3 * 86400)
    data = {"tracking_number": s10_number(1), "courier_code": "china-post", "delivery_status": "transit"}
    for time_str, signature in ((str(int(time.time())), "0" * 64), (stale, sign(stale, SIGNING_EMAIL))):
        body = {"meta": {"code": 200}, "data": data, "verifyInfo": {"timeStr": time_str, "signature": signature}}
        response = await hub.post("/v1/webhooks/trackingmore/alpha", json=body)
        assert response.status_code == 401, response.text


async def _dashboard_pages(hub: httpx.AsyncClient, shipment_id: int) -> list[str]:
    form = await hub.get("/dashboard/login")
    token = FORM_TOKEN.search(form.text)
    assert token is not None
    login = {"username": "admin", "password": ADMIN_PASSWORD, "csrf_token": token.group(1), "next": "/dashboard/"}
    assert (await hub.post("/dashboard/login", data=login)).status_code == 303
    pages = []
    for path in ("/dashboard/", "/dashboard/shipments", f"/dashboard/shipments/{shipment_id}",
                 "/dashboard/connections", "/dashboard/problems"):  # fmt: skip
        response = await hub.get(path, params={"merchant": "alpha"})
        assert response.status_code == 200, (path, response.status_code)
        pages.append(response.text)
    return pages


async def _stored_rows(sessions: Any) -> dict[str, Any]:
    def as_dict(row: Any) -> dict[str, Any]:
        return {c.key: getattr(row, c.key) for c in row.__table__.columns}

    async with sessions() as session:
        audit = [as_dict(r) for r in (await session.scalars(select(AuditRow))).all()]
        targets = [as_dict(r) for r in (await session.scalars(select(SyncTargetRow))).all()]
        connections = [
            {k: v for k, v in as_dict(r).items() if k != "credentials_enc"}
            for r in (await session.scalars(select(ConnectionRow))).all()
        ]
        webhooks = len((await session.scalars(select(WebhookDeliveryRow))).all())
    return {"audit": audit, "targets": targets, "connections": connections, "webhooks": webhooks}
