"""A deactivated merchant: its tokens are refused, its tracking page is gone, and its targets are not claimed."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from parcelsync.db.base import utcnow
from parcelsync.db.engine import unit_of_work
from parcelsync.db.queries.merchants import set_active
from parcelsync.security.tokens import Scope, create_token
from parcelsync.sync.outbox import Outbox

pytestmark = pytest.mark.anyio
CREDS = {"merchant_no": "500000000009001", "app_id": "app", "api_key": "UseePay_SK_test"}


async def _active(app: FastAPI, merchant_id: str, active: bool) -> None:
    async with unit_of_work(app.state.runtime.sessions) as session:
        assert await set_active(session, merchant_id, active) is not None


async def test_tokens_stop_and_nothing_is_claimed_until_reactivated(app: FastAPI, merchant: httpx.AsyncClient) -> None:
    put = await merchant.put("/v1/merchants/acme/connections/useepay", json={"credentials": CREDS})
    assert put.status_code == 201, put.text
    posted = await merchant.post("/v1/shipments", json={"tracking_number": "1Z999AA10123456784", "carrier": "ups",
                                                        "payment_intent_id": "pi_1"})
    assert posted.status_code in (200, 201), posted.text
    async with unit_of_work(app.state.runtime.sessions) as session:
        secret = (await create_token(session, scope=Scope.WRITE, merchant_id="acme")).secret
    own = {"Authorization": f"Bearer {secret}"}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test", headers=own) as token_client:
        assert (await token_client.get("/v1/shipments")).status_code == 200
        await _active(app, "acme", False)
        refused = await token_client.get("/v1/shipments")
        assert refused.status_code == 403 and "deactivated" in refused.text
        assert (await token_client.get("/track/acme")).status_code == 404
        box = Outbox(owner="w1", lease_seconds=60)
        async with unit_of_work(app.state.runtime.sessions) as session:
            assert await box.claim(session, utcnow()) is None
        await _active(app, "acme", True)
        assert (await token_client.get("/v1/shipments")).status_code == 200
        async with unit_of_work(app.state.runtime.sessions) as session:
            claimed = await box.claim(session, utcnow())
        assert claimed is not None and claimed.merchant_id == "acme"
