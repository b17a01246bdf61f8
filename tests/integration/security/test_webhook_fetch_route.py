"""The real webhook route with TrackingMore `webhook_fetch` on: a captured signature cannot inject a status.

The app's `provider_http_factory` is pointed at a TrackingMore sandbox (the transport is the seam), where the
merchant's parcel is in transit; a webhook saying "delivered", and its replay with other data, leave it so.
"""

from __future__ import annotations

import time

import httpx
import pytest

from parcelsync.providers.trackingmore.client import TrackingMoreClient
from parcelsync.providers.trackingmore.mapping import TrackingRegistration
from parcelsync.providers.trackingmore.webhook import sign
from parcelsync.sandbox.trackingmore import TrackingMoreState, create_app

from .conftest import ALPHA, UPS, World, bearer

pytestmark = pytest.mark.anyio
SANDBOX = "http://tm.test"
KEY, EMAIL = "alpha-trackingmore-key-01", "hooks@alpha.example"


async def test_the_route_applies_the_fetched_state_and_answers_a_replay_as_a_duplicate(
    world: World, http: httpx.AsyncClient
) -> None:
    state = TrackingMoreState(seed=3, start=time.time() - 30 * 86400)
    sandbox = create_app(state)
    world.app.state.provider_http_factory = lambda: httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox), base_url=SANDBOX) as tm:
        assert (await tm.post("/_sandbox/accounts", json={"api_key": KEY, "email": EMAIL})).status_code == 201
        await TrackingMoreClient(tm, base_url=f"{SANDBOX}/v2", api_key=KEY, list_rate_per_s=0).create_tracking(
            TrackingRegistration(UPS, "ups")
        )
    record = next(iter(state.accounts[KEY].trackings.values()))
    for _ in range(60):
        if record.status == "transit":
            break
        state.advance(3600)
    assert record.status == "transit"
    connection = {"base_url": f"{SANDBOX}/v2", "credentials": {"api_key": KEY, "account_email": EMAIL},
                  "options": {"webhook_fetch": True}}
    put = await http.put(f"/v1/merchants/{ALPHA}/connections/trackingmore", json=connection,
                         headers=bearer(world.admin))
    assert put.status_code == 201, put.text
    now = str(int(time.time()))
    data = {"tracking_number": UPS, "carrier_code": "ups", "status": "delivered"}
    body = {"meta": {"code": 200}, "data": data, "verifyInfo": {"timeStr": now, "signature": sign(now, EMAIL)}}
    url = f"/v1/webhooks/trackingmore/{ALPHA}"
    first = await http.post(url, json=body)
    assert first.status_code == 200 and first.json()["status_changed"] is True, first.text
    replay = await http.post(url, json={**body, "data": {**data, "status": "exception"}})
    assert replay.status_code == 200 and replay.json()["duplicate"] is True, replay.text
    shipment = (await http.get(f"/v1/shipments/{world.alpha_shipment}", headers=bearer(world.alpha_read))).json()
    assert shipment["status"] == "in_transit"
