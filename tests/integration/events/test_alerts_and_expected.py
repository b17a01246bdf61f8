"""Alerts (each rule raises once and resolves; e-mails reach a real SMTP server) and expected delivery dates
from a seeded history, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from email import message_from_bytes
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from fastapi import FastAPI
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from parcelsync.alerts.claim import claim_merchant
from parcelsync.chores import NotifyChores
from parcelsync.db.base import utcnow
from parcelsync.db.engine import unit_of_work
from parcelsync.db.tables import (
    AlertRow,
    AlertSettingsRow,
    CheckpointRow,
    ConnectionRow,
    EventRow,
    ShipmentRow,
    SyncTargetRow,
)
from parcelsync.events import EventType, record_event
from parcelsync.ingest.demo import s10_number
from parcelsync.ingest.service import upsert_shipments

pytestmark = pytest.mark.anyio
M = "acme"


@dataclass
class Inbox:
    messages: list[Any]

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[str, Inbox]]:
    """A real SMTP server (aiosmtpd) on a free loopback port, in its own thread."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox([])
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield f"smtp://127.0.0.1:{port}", inbox
    finally:
        controller.stop()


def sessions_of(app: FastAPI) -> async_sessionmaker[AsyncSession]:
    return app.state.runtime.sessions  # type: ignore[no-any-return]


async def ship(app: FastAPI, n: int, **extra: Any) -> int:
    async with unit_of_work(sessions_of(app)) as session:
        (result,) = await upsert_shipments(
            session, M, [{"tracking_number": s10_number(n), "carrier": "china-post", **extra}]
        )
    assert result.id is not None
    return result.id


async def set_shipment(app: FastAPI, sid: int, **values: Any) -> None:
    async with unit_of_work(sessions_of(app)) as session:
        await session.execute(update(ShipmentRow).where(ShipmentRow.id == sid).values(**values))


async def alerts(app: FastAPI) -> list[AlertRow]:
    async with sessions_of(app)() as session:
        return list((await session.scalars(select(AlertRow).order_by(AlertRow.id))).all())


def chores(app: FastAPI, **kw: Any) -> NotifyChores:
    return NotifyChores(sessions_of(app), app.state.runtime.settings, **kw)


async def test_each_rule_raises_once_and_resolves(app: FastAPI, merchant: httpx.AsyncClient) -> None:
    now = utcnow()
    problem = await ship(app, 1, status="exception")
    idle = await ship(app, 2, status="in_transit")
    await set_shipment(app, idle, created_at=now - timedelta(days=10))
    async with unit_of_work(sessions_of(app)) as session:
        session.add(SyncTargetRow(merchant_id=M, provider="useepay", target_key="pi_1", state="parked", reason="no"))
        session.add(
            ConnectionRow(
                merchant_id=M,
                provider="useepay",
                base_url="http://x",
                paused_until=now + timedelta(hours=1),
                pause_reason="rate limited",
            )
        )
        await record_event(
            session,
            M,
            EventType.CONNECTION_PAUSED,
            {"provider": "useepay"},
            subject="connection:useepay",
            now=now - timedelta(minutes=20),
        )
    worker = chores(app)
    assert await worker.merchant(M)
    assert await worker.merchant(M)  # a second pass raises nothing new
    raised = await alerts(app)
    assert sorted((a.rule, a.subject) for a in raised) == [
        ("connection_paused", "connection:useepay"),
        ("exception", f"shipment:{problem}"),
        ("stuck", f"shipment:{idle}"),
        ("sync_failed", "target:useepay:pi_1"),
    ]
    assert {a.severity for a in raised if a.rule in ("sync_failed", "connection_paused")} == {"critical"}

    acked = next(a for a in raised if a.rule == "exception")
    response = await merchant.post(f"/v1/alerts/{acked.id}/acknowledge")
    assert response.status_code == 200 and response.json()["state"] == "acknowledged"
    await worker.merchant(M)
    assert len(await alerts(app)) == 4  # acknowledged: not raised again

    await set_shipment(app, problem, status="in_transit")
    async with unit_of_work(sessions_of(app)) as session:
        session.add(CheckpointRow(shipment_id=idle, time=utcnow(), description="Arrived at hub"))
        await session.execute(update(SyncTargetRow).values(state="synced"))
        await record_event(
            session, M, EventType.CONNECTION_RESUMED, {"provider": "useepay"}, subject="connection:useepay"
        )
    await worker.merchant(M)
    assert {a.state for a in await alerts(app)} == {"resolved"}
    async with sessions_of(app)() as session:
        kinds = [e.type for e in (await session.scalars(select(EventRow).where(EventRow.type.like("alert.%")))).all()]
    assert kinds.count("alert.raised") == 4 and kinds.count("alert.resolved") == 4
    listed = await merchant.get("/v1/alerts", params={"state": "resolved"})
    assert len(listed.json()) == 4


async def test_a_disabled_rule_raises_nothing_and_thresholds_apply(app: FastAPI, merchant: httpx.AsyncClient) -> None:
    body = {"rules": {"exception": {"enabled": False}, "stuck": {"threshold": 30}}}
    saved = await merchant.put("/v1/alert-settings", json=body)
    assert saved.status_code == 200 and saved.json()["rules"]["stuck"]["threshold"] == 30
    assert saved.json()["rules"]["late"]["enabled"] is True
    bad = await merchant.put("/v1/alert-settings", json={"rules": {"nope": {}}})
    assert bad.status_code == 422
    await ship(app, 1, status="exception")
    idle = await ship(app, 2)
    await set_shipment(app, idle, created_at=utcnow() - timedelta(days=10))
    await chores(app).merchant(M)
    assert await alerts(app) == []


async def test_one_worker_at_a_time_per_merchant(app: FastAPI, merchant: httpx.AsyncClient) -> None:
    async with unit_of_work(sessions_of(app)) as session:
        assert await claim_merchant(session, M, owner="other", now=utcnow(), lease_s=60)
    assert await chores(app).merchant(M) is False
    async with unit_of_work(sessions_of(app)) as session:
        assert not await claim_merchant(session, M, owner="third", now=utcnow(), lease_s=60)
        assert await claim_merchant(session, M, owner="third", now=utcnow() + timedelta(seconds=61), lease_s=60)


async def test_expected_dates_from_a_seeded_history_and_late_alerts(app: FastAPI, merchant: httpx.AsyncClient) -> None:
    today = utcnow().date()
    shipped = today - timedelta(days=60)
    for i, days in enumerate([4, 5, 5, 6, 9, 5]):
        sid = await ship(app, 100 + i, destination_country="US", ship_date=shipped.isoformat())
        await set_shipment(
            app,
            sid,
            status="delivered",
            delivered_at=datetime.combine(shipped + timedelta(days=days), datetime.min.time()).replace(
                tzinfo=utcnow().tzinfo
            ),
        )
    us = await ship(
        app, 1, destination_country="US", ship_date=(today - timedelta(days=30)).isoformat(), status="in_transit"
    )
    gb = await ship(app, 2, destination_country="GB", ship_date=today.isoformat())
    other = await ship(app, 3, carrier="ups", tracking_number="1Z5R89390357567127")
    before = (await merchant.get(f"/v1/shipments/{us}")).json()["expected_delivery"]
    assert before == {"earliest": None, "latest": None, "basis": "none"}  # not computed per request
    await chores(app).merchant(M)
    lane = (await merchant.get(f"/v1/shipments/{us}")).json()["expected_delivery"]
    start = today - timedelta(days=30)
    assert lane == {
        "earliest": (start + timedelta(days=5)).isoformat(),
        "latest": (start + timedelta(days=9)).isoformat(),
        "basis": "lane",
    }
    assert (await merchant.get(f"/v1/shipments/{gb}")).json()["expected_delivery"]["basis"] == "carrier"
    assert (await merchant.get(f"/v1/shipments/{other}")).json()["expected_delivery"]["basis"] == "none"
    listed = (await merchant.get("/v1/shipments")).json()["items"]
    assert all("expected_delivery" in s for s in listed)
    late = [a for a in await alerts(app) if a.rule == "late"]
    assert [a.shipment_id for a in late] == [us]
    await set_shipment(app, us, status="delivered", delivered_at=utcnow())
    await chores(app).merchant(M)
    assert {a.state for a in await alerts(app) if a.rule == "late"} == {"resolved"}


async def test_critical_alert_mail_and_daily_digest_reach_the_smtp_server(
    app: FastAPI, merchant: httpx.AsyncClient, smtp: tuple[str, Inbox]
) -> None:
    url, inbox = smtp
    object.__setattr__(app.state.runtime.settings, "smtp_url", url)
    assert (await merchant.put("/v1/alert-settings", json={"email": "ops@acme.example"})).status_code == 200
    async with unit_of_work(sessions_of(app)) as session:
        session.add(SyncTargetRow(merchant_id=M, provider="useepay", target_key="pi_9", state="dead", reason="gave up"))
    await ship(app, 5, status="exception")
    worker = chores(app)
    await worker.merchant(M)
    await worker.merchant(M)
    await asyncio.sleep(0.2)
    subjects = [m["Subject"] for _, m in inbox.messages]
    assert subjects.count("[parcelsync] critical: useepay pi_9: dead") == 1
    assert [s for s in subjects if "digest" in s] == ["[parcelsync] daily digest: 2 open alerts"]
    assert all(to == ["ops@acme.example"] for to, _ in inbox.messages)
    digest = next(m for _, m in inbox.messages if "digest" in m["Subject"]).get_payload()
    assert "sync_failed: 1" in digest and "exception: 1" in digest
    async with sessions_of(app)() as session:
        settings = await session.get(AlertSettingsRow, M)
    assert settings is not None and settings.email == "ops@acme.example"
    # the digest is due again tomorrow and the critical alert was mailed: a third pass sends nothing more
    await worker.merchant(M)
    assert len(inbox.messages) == 2
