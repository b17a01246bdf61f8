"""Outbound webhooks end to end on SQLite and PostgreSQL: signed, at least once, none lost, same webhook-id."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
import pytest
from sqlalchemy import func, select, update
from standardwebhooks.webhooks import Webhook

from parcelsync.db.base import utcnow
from parcelsync.db.crypto import CredentialCipher, generate_key
from parcelsync.db.engine import make_engine, make_sessionmaker, unit_of_work
from parcelsync.db.queries.merchants import create_merchant
from parcelsync.db.tables import EventRow, OutboundAttemptRow, OutboundDeliveryRow, WebhookEndpointRow
from parcelsync.ingest.demo import s10_number
from parcelsync.ingest.service import upsert_shipments
from parcelsync.outbound import deliveries
from parcelsync.outbound.dispatcher import Dispatcher
from parcelsync.outbound.endpoints import create_endpoint
from parcelsync.outbound.policy import DeliveryPolicy
from parcelsync.outbound.receiver import ReceiverState, create_receiver_app
from parcelsync.settings import Settings

pytestmark = pytest.mark.anyio
MERCHANT = "m1"
URL = "http://receiver.test/hook"


class Clock:
    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return utcnow() + self.offset


@dataclass
class Rig:
    sessions: object
    settings: Settings
    cipher: CredentialCipher
    receiver: ReceiverState
    http: httpx.AsyncClient
    clock: Clock
    endpoint_id: int
    secret: str

    def dispatcher(self, **kw: object) -> Dispatcher:
        kw.setdefault("policy", DeliveryPolicy(jitter=lambda: 0.5))
        return Dispatcher(self.sessions, self.settings, cipher=self.cipher, http=self.http, clock=self.clock, **kw)  # type: ignore[arg-type]

    async def ship(self, numbers: range) -> None:
        items = [{"tracking_number": s10_number(n), "carrier": "china-post"} for n in numbers]
        async with unit_of_work(self.sessions) as session:  # type: ignore[arg-type]
            await upsert_shipments(session, MERCHANT, items)

    async def states(self) -> dict[str, int]:
        async with self.sessions() as session:  # type: ignore[operator]
            rows = await session.execute(
                select(OutboundDeliveryRow.state, func.count()).group_by(OutboundDeliveryRow.state)
            )
            return {s: n for s, n in rows}


@pytest.fixture
async def rig(database_url: str) -> AsyncIterator[Rig]:
    settings = Settings(database_url=database_url, secret_key=generate_key(), webhook_allow_private_urls=True)
    engine = make_engine(database_url)
    sessions = make_sessionmaker(engine)
    cipher = CredentialCipher(settings.secret_key or "")
    state = ReceiverState()
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=create_receiver_app(state)))
    async with unit_of_work(sessions) as session:
        await create_merchant(session, "Merchant", MERCHANT)
        created = await create_endpoint(session, cipher, MERCHANT, url=URL, event_types=["shipment.*"])
    state.secret = created.secret
    try:
        yield Rig(sessions, settings, cipher, state, http, Clock(), created.row.id, created.secret)
    finally:
        await http.aclose()
        await engine.dispose()


async def test_receiver_down_for_a_day_gets_every_event_signed_and_none_lost(rig: Rig) -> None:
    rig.receiver.answer = 503
    dispatcher = rig.dispatcher()
    await rig.ship(range(1, 21))
    hours = 0
    while hours < 24:  # a simulated day of failing deliveries, the dispatcher retrying on its backoff
        await dispatcher.run_once()
        rig.clock.offset += timedelta(minutes=30)
        hours += 0.5
        if hours == 12:
            await rig.ship(range(21, 31))  # more changes while it is down
    assert (await rig.states()) == {"pending": 30}
    failed_tries = len(rig.receiver.received)
    assert failed_tries > 30 * 5
    rig.receiver.answer = 200
    for _ in range(6):
        rig.clock.offset += timedelta(hours=1)
        await dispatcher.run_once()
    assert (await rig.states()) == {"delivered": 30}
    got = rig.receiver.unique()
    async with rig.sessions() as session:  # type: ignore[operator]
        event_ids = set((await session.scalars(select(EventRow.id))).all())
    assert {r.webhook_id for r in got} == {f"evt_{i}" for i in event_ids}
    assert all(r.verified for r in rig.receiver.received[failed_tries:])
    for item in got:  # independently verified, as a receiver would
        assert Webhook(rig.secret).verify(item.body, item.headers)["type"] == "shipment.created"
    async with rig.sessions() as session:  # type: ignore[operator]
        attempts = (await session.scalars(select(OutboundAttemptRow).where(OutboundAttemptRow.status == 503))).all()
    assert attempts and attempts[0].response_excerpt == "receiver unavailable" and attempts[0].latency_ms >= 0


async def test_a_replayed_delivery_carries_the_same_webhook_id(rig: Rig) -> None:
    await rig.ship(range(1, 2))
    await rig.dispatcher().run_once()
    async with unit_of_work(rig.sessions) as session:  # type: ignore[arg-type]
        (delivery,) = (await session.scalars(select(OutboundDeliveryRow))).all()
        assert await deliveries.replay_delivery(session, MERCHANT, delivery.id, now=rig.clock())
    await rig.dispatcher().run_once()
    first, second = rig.receiver.received
    assert first.webhook_id == second.webhook_id and first.body == second.body
    assert second.verified


async def test_a_killed_dispatcher_loses_no_delivery(rig: Rig) -> None:
    await rig.ship(range(1, 11))
    doomed = rig.dispatcher(owner="doomed")
    claimed = await doomed.claim()  # it leased them, then died before sending or recording anything
    assert len(claimed) == 10
    survivor = rig.dispatcher(owner="survivor")
    assert await survivor.run_once() == 0  # leases still live
    rig.clock.offset += timedelta(seconds=rig.settings.lease_seconds + 31)
    assert await survivor.run_once() == 10
    assert (await rig.states()) == {"delivered": 10}
    assert len(rig.receiver.unique()) == 10
    # the doomed one wakes up and records late: its lost leases change nothing
    from parcelsync.outbound.messages import AttemptResult

    await doomed.record([(item, AttemptResult(500, 1.0, "", None)) for item in claimed])
    assert (await rig.states()) == {"delivered": 10}


async def test_410_disables_the_endpoint_and_nothing_is_dropped(rig: Rig) -> None:
    rig.receiver.answer = 410
    await rig.ship(range(1, 4))
    await rig.dispatcher().run_once()
    async with rig.sessions() as session:  # type: ignore[operator]
        endpoint = await session.get(WebhookEndpointRow, rig.endpoint_id)
        assert endpoint is not None and endpoint.enabled is False and "410" in (endpoint.disabled_reason or "")
        disabled = (await session.scalars(select(EventRow).where(EventRow.type == "webhook_endpoint.disabled"))).all()
    assert len(disabled) == 1
    assert (await rig.states()) == {"pending": 3}
    tried = len(rig.receiver.received)  # the batch already in flight; nothing after the 410
    await rig.dispatcher().run_once()
    assert len(rig.receiver.received) == tried
    rig.receiver.answer = 200
    async with unit_of_work(rig.sessions) as session:  # type: ignore[arg-type]
        await session.execute(update(WebhookEndpointRow).values(enabled=True, disabled_reason=None))
    await rig.dispatcher().run_once()
    assert (await rig.states()) == {"delivered": 3}


async def test_failing_for_three_days_disables_with_an_event_and_a_notice(rig: Rig) -> None:
    rig.receiver.answer = 500
    notices: list[str] = []

    async def notice(endpoint: WebhookEndpointRow, reason: str) -> None:
        notices.append(reason)

    dispatcher = rig.dispatcher(on_disabled=notice)
    for day in range(4):
        await rig.ship(range(day * 10 + 1, day * 10 + 3))
        for _ in range(24):
            await dispatcher.run_once()
            rig.clock.offset += timedelta(hours=1)
    assert len(notices) == 1 and "3 days" in notices[0]
    async with rig.sessions() as session:  # type: ignore[operator]
        endpoint = await session.get(WebhookEndpointRow, rig.endpoint_id)
    assert endpoint is not None and not endpoint.enabled
    states = await rig.states()
    assert states.get("dead", 0) >= 2 and "delivered" not in states  # the first day's gave up after 26 hours


async def test_only_subscribed_types_are_fanned_out(rig: Rig) -> None:
    async with unit_of_work(rig.sessions) as session:  # type: ignore[arg-type]
        await session.execute(update(WebhookEndpointRow).values(event_types=["shipment.deleted"]))
    await rig.ship(range(1, 3))
    assert (await rig.states()) == {}


async def test_key_rotation_re_encrypts_the_signing_secret(rig: Rig) -> None:
    from parcelsync.outbound.endpoints import endpoint_secrets, reencrypt_secrets

    new = generate_key()
    async with unit_of_work(rig.sessions) as session:  # type: ignore[arg-type]
        assert await reencrypt_secrets(session, CredentialCipher(f"{new},{rig.settings.secret_key}")) == 1
    async with rig.sessions() as session:  # type: ignore[operator]
        row = await session.get(WebhookEndpointRow, rig.endpoint_id)
    assert row is not None and endpoint_secrets(CredentialCipher(new), row, utcnow()) == [rig.secret]


async def test_re_enabled_after_days_the_waiting_deliveries_get_a_fresh_window(rig: Rig) -> None:
    from parcelsync.outbound.endpoints import set_enabled
    from parcelsync.outbound.log import restart_window

    rig.receiver.answer = 410
    await rig.ship(range(1, 3))
    await rig.dispatcher().run_once()
    rig.clock.offset += timedelta(days=2)  # fixed two days later
    rig.receiver.answer = 200
    async with unit_of_work(rig.sessions) as session:  # type: ignore[arg-type]
        endpoint = await session.get(WebhookEndpointRow, rig.endpoint_id)
        assert endpoint is not None
        set_enabled(endpoint, True, now=rig.clock())
        await restart_window(session, endpoint.id, now=rig.clock())
    await rig.dispatcher().run_once()
    assert (await rig.states()) == {"delivered": 2}


async def test_finished_deliveries_and_attempts_are_pruned_after_the_retention(rig: Rig) -> None:
    from parcelsync.outbound.log import prune_delivery_log

    await rig.ship(range(1, 3))
    rig.receiver.answer = 500
    await rig.dispatcher().run_once()
    async with unit_of_work(rig.sessions) as session:  # type: ignore[arg-type]
        first = (await session.scalars(select(OutboundDeliveryRow).order_by(OutboundDeliveryRow.id))).first()
        assert first is not None
        await session.execute(
            update(OutboundDeliveryRow).where(OutboundDeliveryRow.id == first.id).values(state="delivered")
        )
    pruned = await prune_delivery_log(rig.sessions, older_than=utcnow() + timedelta(seconds=1))  # type: ignore[arg-type]
    assert pruned == 3  # two attempts and the one finished delivery; the pending one stays
    assert (await rig.states()) == {"pending": 1}


async def test_two_batches_recording_at_once_disable_an_endpoint_once(rig: Rig) -> None:
    """Two dispatchers' batches of one endpoint, past its 3 days of failures, recorded concurrently: one notice."""
    rig.receiver.answer = 500
    await rig.ship(range(1, 3))
    async with unit_of_work(rig.sessions) as session:  # type: ignore[arg-type]
        await session.execute(update(WebhookEndpointRow).values(failing_since=utcnow() - timedelta(days=4)))
    notices: list[str] = []

    async def notice(endpoint: WebhookEndpointRow, reason: str) -> None:
        notices.append(reason)

    first, second = rig.dispatcher(on_disabled=notice), rig.dispatcher(on_disabled=notice)
    batches = [await first.claim(limit=1), await second.claim(limit=1)]
    assert [len(b) for b in batches] == [1, 1]
    results = [await first.send(batches[0][0]), await second.send(batches[1][0])]
    await asyncio.gather(
        first.record([(batches[0][0], results[0])]), second.record([(batches[1][0], results[1])])
    )
    assert len(notices) == 1
    async with rig.sessions() as session:  # type: ignore[operator]
        disabled = select(EventRow.type).where(EventRow.type == "webhook_endpoint.disabled")
        assert len((await session.scalars(disabled)).all()) == 1
