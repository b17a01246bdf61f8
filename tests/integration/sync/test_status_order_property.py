"""A parcel's states delivered late, twice and out of order, through the webhook route and the poller, interleaved.

Whatever the order, the parcel ends in its newest state, `delivered_at` is set exactly when that state is
delivered, every checkpoint is stored once, and the status history only moves forward in event time.
On SQLite and PostgreSQL (`database_url`). One event loop and one API app per database; every example
has its own shipment.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from parcelsync.api import create_app
from parcelsync.db.crypto import CredentialCipher, generate_key
from parcelsync.db.engine import make_engine, make_sessionmaker, unit_of_work
from parcelsync.db.queries.merchants import create_merchant
from parcelsync.db.tables import CheckpointRow, ShipmentRow, StatusEventRow
from parcelsync.domain.provider import Provider
from parcelsync.ingest.connections import save_connection
from parcelsync.ingest.demo import s10_number
from parcelsync.ingest.service import upsert_shipments
from parcelsync.providers.trackingmore.client import TrackingMoreClient
from parcelsync.providers.trackingmore.status import map_status
from parcelsync.providers.trackingmore.webhook import sign
from parcelsync.settings import Settings
from parcelsync.sync.statuses import poll_merchant

MERCHANT = "m_order"
EMAIL = "ops@example.com"
BASE = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
RAW_STATUSES = ("transit", "pickup", "undelivered", "delivered", "exception", "expired")
numbers = itertools.count(1)


@dataclass
class World:
    loop: asyncio.AbstractEventLoop
    sessions: async_sessionmaker[AsyncSession]
    api: httpx.AsyncClient
    poll_answer: dict[str, Any]
    client: TrackingMoreClient


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    loop = asyncio.new_event_loop()
    key = generate_key()
    app = create_app(Settings(database_url=database_url, secret_key=key, auto_migrate=False))
    engine = make_engine(database_url)
    sessions = make_sessionmaker(engine)
    poll_answer: dict[str, Any] = {}

    def listing(request: httpx.Request) -> httpx.Response:
        assert request.url.path.endswith("/trackings/get")
        items = [poll_answer["tracking"]]
        data = {"page": 1, "limit": 200, "total": len(items), "items": items}
        return httpx.Response(200, json={"meta": {"code": 200, "type": "Success", "message": "Success"}, "data": data})

    provider_http = httpx.AsyncClient(transport=httpx.MockTransport(listing))
    client = TrackingMoreClient(provider_http, base_url="http://tm.test/v2", api_key="k", list_rate_per_s=0)
    api = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hub")

    async def setup() -> None:
        async with unit_of_work(sessions) as session:
            await create_merchant(session, "Order test", MERCHANT)
            await save_connection(
                session, CredentialCipher(key), MERCHANT, Provider.TRACKINGMORE, base_url="http://tm.test/v2",
                credentials={"api_key": "k", "account_email": EMAIL}, options={"webhooks": False},
            )

    loop.run_until_complete(setup())
    try:
        yield World(loop, sessions, api, poll_answer, client)
    finally:
        loop.run_until_complete(api.aclose())
        loop.run_until_complete(provider_http.aclose())
        loop.run_until_complete(engine.dispose())
        loop.run_until_complete(app.state.runtime.engine.dispose())
        loop.close()


def tracking(number: str, states: list[str], upto: int) -> dict[str, Any]:
    """The provider's view of the parcel after state `upto`: that status, and every checkpoint so far."""
    checkpoints = [
        {"Date": (BASE + timedelta(hours=i)).strftime("%Y-%m-%d %H:%M:%S"), "StatusDescription": f"step {i}: {s}",
         "Details": "Somewhere", "checkpoint_status": s}
        for i, s in enumerate(states[: upto + 1])
    ]
    at = BASE + timedelta(hours=upto)
    return {
        "tracking_number": number, "carrier_code": "china-post", "status": states[upto],
        "lastEvent": f"step {upto}: {states[upto]}", "lastUpdateTime": at.strftime("%Y-%m-%d %H:%M:%S"),
        "updated_at": at.isoformat(), "origin_info": {"trackinfo": []},
        "destination_info": {"trackinfo": list(reversed(checkpoints))},
    }


def webhook_body(data: dict[str, Any]) -> bytes:
    """Signed with a timeStr of its own: a (timeStr, signature) pair is accepted once (a replay is refused)."""
    time_str = f"{time.time():.6f}"
    return json.dumps({
        "meta": {"code": 200, "type": "Success", "message": "Success"}, "data": data,
        "verifyInfo": {"timeStr": time_str, "signature": sign(time_str, EMAIL)},
    }).encode()


Plan = tuple[list[str], list[tuple[int, str]]]


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    """A parcel's states in event order, and each state's 1-3 deliveries (webhook or poll) in random order."""
    states = draw(st.lists(st.sampled_from(RAW_STATUSES), min_size=1, max_size=6))
    deliveries = [
        (i, draw(st.sampled_from(("webhook", "poll"))))
        for i in range(len(states))
        for _ in range(draw(st.integers(1, 3)))
    ]
    return states, draw(st.permutations(deliveries))


async def deliver(world: World, number: str, states: list[str], plan: list[tuple[int, str]]) -> None:
    async with unit_of_work(world.sessions) as session:
        await upsert_shipments(session, MERCHANT, [{"tracking_number": number, "carrier": "china-post"}])
    for index, channel in plan:
        data = tracking(number, states, index)
        if channel == "webhook":
            response = await world.api.post(f"/v1/webhooks/trackingmore/{MERCHANT}", content=webhook_body(data))
            assert response.status_code == 200, response.text
        else:
            world.poll_answer["tracking"] = data
            assert await poll_merchant(world.sessions, world.client, MERCHANT, now=datetime.now(UTC)) == 1


async def stored(world: World, number: str) -> tuple[ShipmentRow, list[StatusEventRow], int]:
    async with world.sessions() as session:
        row = await session.scalar(select(ShipmentRow).where(ShipmentRow.tracking_number == number))
        assert row is not None
        events = list(
            (await session.scalars(
                select(StatusEventRow).where(StatusEventRow.shipment_id == row.id).order_by(StatusEventRow.id)
            )).all()
        )
        checkpoints = (await session.scalars(select(CheckpointRow.id).where(CheckpointRow.shipment_id == row.id))).all()
        return row, events, len(checkpoints)


@given(plan=plans())
@settings(max_examples=30, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_any_delivery_order_ends_in_the_newest_state(world: World, plan: Plan) -> None:
    states, deliveries = plan
    number = s10_number(next(numbers))
    world.loop.run_until_complete(deliver(world, number, states, deliveries))
    row, events, checkpoints = world.loop.run_until_complete(stored(world, number))

    newest = len(states) - 1
    newest_at = BASE + timedelta(hours=newest)
    assert row.status == map_status(states[newest]).value
    assert row.last_event == f"step {newest}: {states[newest]}"
    assert row.status_at == newest_at
    if states[newest] == "delivered":
        assert row.delivered_at == newest_at
    else:
        assert row.delivered_at is None
    assert checkpoints == len(states)

    previous_status, previous_at = "pending", None
    assert [(e.from_status, e.to_status, e.source) for e in events[:1]] == [(None, "pending", "api")]  # created
    for event in events[1:]:
        assert event.source in ("webhook", "poll")
        assert event.from_status == previous_status != event.to_status  # real transitions, chained
        assert previous_at is None or event.at >= previous_at  # never backwards in event time
        assert event.at in {BASE + timedelta(hours=i) for i in range(len(states))}
        previous_status, previous_at = event.to_status, event.at
    assert previous_status == row.status
