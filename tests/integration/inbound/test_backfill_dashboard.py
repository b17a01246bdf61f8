"""The connection page's backfill button: starts the run, shows a progress bar, ends with every fulfillment in."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest
from sqlalchemy import select
from tests.integration.inbound.inbound_harness import HUB_ROOT
from tests.integration.sync.sync_harness import MERCHANT, make_hub

from parcelsync.api import create_app
from parcelsync.db.tables import ConnectionRow
from parcelsync.ingest.demo import s10_number

pytestmark = pytest.mark.anyio
PASSWORD = "correct horse battery"
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


async def test_backfill_button_runs_and_reports_progress(sqlite_database_url: str) -> None:
    hub = await make_hub(sqlite_database_url, admin_password=PASSWORD)
    store = hub.sandboxes.shopline.stores[hub.accounts.shop_handle]
    for n in range(30):
        store.add_fulfillment(f"do{n}", f"df{n}", tracking_info_list=[{"tracking_number": s10_number(500 + n)}])
    api = create_app(hub.settings)
    api.state.dashboard.http_factory = lambda: httpx.AsyncClient(
        transport=hub.http._transport, base_url=str(hub.http.base_url), timeout=30
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url=HUB_ROOT) as client:
        login = await client.get("/dashboard/login")
        token = CSRF_RE.search(login.text)
        assert token is not None
        await client.post("/dashboard/login", data={"username": "admin", "password": PASSWORD,
                                                    "csrf_token": token.group(1), "next": "/dashboard/"})
        page = await client.get(f"/dashboard/connections?merchant={MERCHANT}")
        assert "Backfill from the store" in page.text
        csrf = CSRF_RE.search(page.text)
        assert csrf is not None
        async with hub.sessions() as session:
            connection_id = await session.scalar(
                select(ConnectionRow.id).where(
                    ConnectionRow.merchant_id == MERCHANT, ConnectionRow.provider == "shopline"
                )
            )
        started = await client.post(f"/dashboard/connections/{connection_id}/backfill",
                                    data={"csrf_token": csrf.group(1), "days": "60"})
        assert started.status_code == 202
        for _ in range(100):
            progress = await client.get(f"/dashboard/connections/{connection_id}/backfill")
            if "Done" in progress.text or "done" in progress.text:
                break
            await asyncio.sleep(0.05)
        assert "<progress" in progress.text and "30 fulfillments" in progress.text, progress.text
    assert len(await hub.live_shipments()) == 30
    await hub.http.aclose()
    await hub.engine.dispose()
