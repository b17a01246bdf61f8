"""The `payment_at_risk` alert rule: one alert per payment intent and reason, mailed once with the reasons and
the amounts, resolved when the cause goes away and never repeated while it holds (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from tests.integration.events.test_alerts_and_expected import (  # noqa: F401
    Inbox,
    M,
    alerts,
    chores,
    sessions_of,
    set_shipment,
    ship,
    smtp,
)

from parcelsync.db.base import utcnow
from parcelsync.db.engine import unit_of_work
from parcelsync.db.tables import ConnectionRow

pytestmark = pytest.mark.anyio
INTENT = "pi_risky"


async def test_a_payment_at_risk_alerts_once_per_reason_until_cleared(
    app: FastAPI, merchant: httpx.AsyncClient, smtp: tuple[str, Inbox]  # noqa: F811
) -> None:
    url, inbox = smtp
    object.__setattr__(app.state.runtime.settings, "smtp_url", url)
    body = {"email": "ops@acme.example", "daily_digest": False, "rules": {"exception": {"enabled": False}}}
    assert (await merchant.put("/v1/alert-settings", json=body)).status_code == 200
    async with unit_of_work(sessions_of(app)) as session:
        session.add(ConnectionRow(merchant_id=M, provider="useepay", base_url="http://x"))
    shipped = (utcnow() - timedelta(days=3)).date().isoformat()
    money = {"payment_intent_id": INTENT, "order_id": "o1", "order_value": "49.90", "currency": "EUR"}
    problem = await ship(app, 1, status="exception", ship_date=shipped, **money)
    await ship(app, 2, status="in_transit", ship_date=shipped, **money)
    await ship(app, 3, payment_intent_id="pi_safe", ship_date=utcnow().date().isoformat())
    worker = chores(app)
    await worker.merchant(M)
    await worker.merchant(M)  # the same causes: nothing raised or mailed again
    await asyncio.sleep(0.2)
    raised = await alerts(app)
    assert sorted((a.rule, a.subject, a.state) for a in raised) == [
        ("payment_at_risk", f"payment:{INTENT}:not_accepted_in_time", "open"),
        ("payment_at_risk", f"payment:{INTENT}:parcel_exception", "open"),
    ]
    assert {a.severity for a in raised} == {"critical"}
    exception = next(a for a in raised if a.subject.endswith("parcel_exception"))
    assert exception.shipment_id == problem
    assert exception.detail["value"] == "49.90 EUR"  # one order of two parcels: counted once
    assert "is in exception" in exception.detail["details"]
    mails = {str(m["Subject"]).replace("\r\n", ""): m.get_payload() for _, m in inbox.messages}  # unfolded
    assert sorted(mails) == [
        f"[parcelsync] critical: payment {INTENT} at risk: No tracking accepted by the gateway in time (49.90 EUR)",
        f"[parcelsync] critical: payment {INTENT} at risk: Parcel in exception (49.90 EUR)",
    ]
    text = "\n".join(mails.values())
    assert "value: 49.90 EUR" in text and "gateways: useepay" in text and "nothing accepted" in text

    await set_shipment(app, problem, status="in_transit")
    await worker.merchant(M)
    await worker.merchant(M)
    await asyncio.sleep(0.2)
    states = {a.subject: a.state for a in await alerts(app)}
    assert states == {
        f"payment:{INTENT}:not_accepted_in_time": "open",
        f"payment:{INTENT}:parcel_exception": "resolved",
    }
    assert len(inbox.messages) == 2  # the cleared cause is not mailed again, the held one neither


async def test_the_rule_can_be_turned_off(app: FastAPI, merchant: httpx.AsyncClient) -> None:
    body = {"rules": {"payment_at_risk": {"enabled": False}, "exception": {"enabled": False}}}
    assert (await merchant.put("/v1/alert-settings", json=body)).status_code == 200
    await ship(app, 1, status="exception", payment_intent_id=INTENT)
    await chores(app).merchant(M)
    assert await alerts(app) == []
