"""The sandbox mounted under a prefix (as the combined `parcelsync sandbox` server does) still serves stores."""

from __future__ import annotations

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount
from tests.integration.shopline.shopline_helpers import A_ENTRY, TOKEN

from parcelsync.providers.shopline import LeakyBucket, ShoplineClient
from parcelsync.sandbox.shopline import ShoplineState, create_app

pytestmark = pytest.mark.anyio


async def test_mounted_under_shopline_prefix() -> None:
    state = ShoplineState()
    parent = Starlette(routes=[Mount("/shopline", app=create_app(state))])
    transport = httpx.ASGITransport(app=parent)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8100") as http:
        created = await http.post("/shopline/_sandbox/stores", json={"handle": "demo-store", "access_token": TOKEN})
        assert created.status_code == 201
        await http.post(
            "/shopline/_sandbox/stores/demo-store/orders", json={"order_id": "7", "fulfillments": [{"id": "8"}]}
        )
        client = ShoplineClient(
            http,
            base_url="http://127.0.0.1:8100/shopline/demo-store",
            access_token=TOKEN,
            limiter=LeakyBucket(100, 100),
        )
        result = await client.update_tracking("7", "8", [A_ENTRY])
    assert result.fulfillment.tracking_number == A_ENTRY.number
    assert [r.status for r in state.log.items] == [200]
