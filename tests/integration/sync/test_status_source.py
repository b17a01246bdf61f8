"""Two tracking providers on one merchant: only the one marked as the source of status is listened to.

The other (`"status_source": false`) has its webhooks verified and acknowledged but never applied, and it
is not polled; flipping the option flips which provider's statuses are stored. SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select
from tests.integration.sync.sync_harness import MERCHANT, Hub, make_hub, shipment

from parcelsync.db.base import utcnow
from parcelsync.db.engine import unit_of_work
from parcelsync.db.tables import ShipmentRow
from parcelsync.domain.provider import Provider
from parcelsync.ingest.connections import save_connection
from parcelsync.providers.aftership.webhook import sign as aftership_sign
from parcelsync.providers.trackingmore.webhook import sign as trackingmore_sign
from parcelsync.sync.statuses import Applied, polled_connections, receive_webhook

pytestmark = pytest.mark.anyio
AS_KEY, AS_SECRET = "asat_source_key_0001", "whsec-source-0123456789"
NUMBER = shipment(1)["tracking_number"]


@pytest.fixture
async def both(database_url: str) -> AsyncIterator[Hub]:
    """The test merchant tracks with TrackingMore (from the harness) and AfterShip."""
    hub = await make_hub(database_url)
    account = {"api_key": AS_KEY, "webhook_url": None, "webhook_secret": AS_SECRET}
    (await hub.http.post(f"{hub.urls.aftership}/_sandbox/accounts", json=account)).raise_for_status()
    await mark(hub, aftership=False, trackingmore=True)
    try:
        yield hub
    finally:
        await hub.http.aclose()
        await hub.engine.dispose()


async def mark(hub: Hub, *, aftership: bool, trackingmore: bool, webhooks: bool = True) -> None:
    async with unit_of_work(hub.sessions) as session:
        await save_connection(session, hub.cipher, MERCHANT, Provider.AFTERSHIP, base_url=hub.urls.aftership,
                              credentials={"api_key": AS_KEY, "webhook_secret": AS_SECRET},
                              options={"webhooks": webhooks, "status_source": aftership})
        await save_connection(session, hub.cipher, MERCHANT, Provider.TRACKINGMORE, base_url=hub.urls.trackingmore,
                              credentials=hub.accounts.credentials(Provider.TRACKINGMORE),
                              options={"webhooks": webhooks, "status_source": trackingmore})


def trackingmore_body(hub: Hub, status: str) -> tuple[bytes, dict[str, str]]:
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
    data = {
        "tracking_number": NUMBER, "carrier_code": "china-post", "status": status, "lastEvent": f"now {status}",
        "lastUpdateTime": stamp, "origin_info": {"trackinfo": []},
        "destination_info": {"trackinfo": [{"Date": stamp, "StatusDescription": f"now {status}", "Details": "Hub",
                                            "checkpoint_status": status}]},
    }
    time_str = str(int(time.time()))
    body = {"meta": {"code": 200, "type": "Success", "message": "Success"}, "data": data,
            "verifyInfo": {"timeStr": time_str, "signature": trackingmore_sign(time_str, hub.accounts.account_email)}}
    return json.dumps(body).encode(), {}


def aftership_body(hub: Hub, tag: str, subtag: str, event_id: str) -> tuple[bytes, dict[str, str]]:
    tracking: dict[str, Any] = next(iter(hub.sandboxes.aftership.accounts[AS_KEY].trackings.values())).to_api()
    later = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() + 60))  # newer than any status so far
    tracking.update({"tag": tag, "subtag": subtag, "updated_at": later,
                     "checkpoints": [{"checkpoint_time": later, "tag": tag, "subtag": subtag, "message": tag}]})
    body = json.dumps({"event_id": event_id, "event": "tracking_update", "ts": int(time.time()), "msg": tracking})
    return body.encode(), {"aftership-hmac-sha256": aftership_sign(body.encode(), AS_SECRET)}


async def deliver(hub: Hub, provider: Provider, message: tuple[bytes, dict[str, str]]) -> Applied | None:
    body, headers = message
    async with unit_of_work(hub.sessions) as session:
        return await receive_webhook(session, hub.cipher, MERCHANT, body, max_age_s=300, now=utcnow(),
                                     provider=provider, headers=headers)


async def status(hub: Hub) -> str:
    async with hub.sessions() as session:
        row = await session.scalar(select(ShipmentRow).where(ShipmentRow.tracking_number == NUMBER))
    assert row is not None
    return row.status


async def test_only_the_status_source_is_applied_and_the_option_flips_it(both: Hub) -> None:
    hub = both
    await hub.upsert([shipment(1)])
    await hub.drain(hub.worker())
    assert {t.provider for t in await hub.targets()} >= {"aftership", "trackingmore"}  # both still registered

    assert await deliver(hub, Provider.AFTERSHIP, aftership_body(hub, "Delivered", "Delivered_001", "e1")) is None
    assert await status(hub) == "pending"  # verified and acknowledged, not applied
    applied = await deliver(hub, Provider.TRACKINGMORE, trackingmore_body(hub, "transit"))
    assert applied is not None and await status(hub) == "in_transit"

    await mark(hub, aftership=True, trackingmore=False)
    assert await deliver(hub, Provider.TRACKINGMORE, trackingmore_body(hub, "exception")) is None
    assert await status(hub) == "in_transit"
    applied = await deliver(hub, Provider.AFTERSHIP, aftership_body(hub, "Delivered", "Delivered_001", "e2"))
    assert applied is not None and await status(hub) == "delivered"


async def test_the_provider_that_is_not_the_source_is_not_polled(both: Hub) -> None:
    hub = both
    await mark(hub, aftership=False, trackingmore=True, webhooks=False)
    async with hub.sessions() as session:
        polled = await polled_connections(session, utcnow())
    assert [(m, p) for m, p in polled if m == MERCHANT] == [(MERCHANT, Provider.TRACKINGMORE)]
    await mark(hub, aftership=True, trackingmore=False, webhooks=False)
    async with hub.sessions() as session:
        polled = await polled_connections(session, utcnow())
    assert [(m, p) for m, p in polled if m == MERCHANT] == [(MERCHANT, Provider.AFTERSHIP)]
