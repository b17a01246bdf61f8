"""The Alerts and Webhooks dashboard pages: alerts grouped by rule with Acknowledge; endpoints with their
deliveries and Replay buttons; an expected window on the shipment page. No signing secret on any page."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from tests.integration.web.conftest import Dash
from tests.integration.web.seed_data import MERCHANT

from parcelsync.chores import NotifyChores
from parcelsync.db.engine import unit_of_work
from parcelsync.db.tables import AlertRow, OutboundAttemptRow, OutboundDeliveryRow
from parcelsync.outbound.endpoints import create_endpoint

pytestmark = pytest.mark.anyio


async def test_alerts_page_groups_by_rule_and_acknowledges(logged_in: Dash) -> None:
    runtime = logged_in.app.state.runtime
    await NotifyChores(runtime.sessions, runtime.settings).merchant(MERCHANT)
    async with runtime.sessions() as session:
        alerts = (await session.scalars(select(AlertRow).where(AlertRow.state == "open"))).all()
    assert alerts, "the seeded data has parked targets and exceptions"
    page = await logged_in.client.get("/dashboard/alerts", params={"merchant": MERCHANT})
    assert page.status_code == 200 and "sync failed" in page.text.lower()
    first = alerts[0]
    done = await logged_in.client.post(
        "/dashboard/alerts/acknowledge", data={"csrf_token": logged_in.csrf, "alert_id": str(first.id)}
    )
    assert done.status_code == 200 and "Acknowledged" in done.text
    acked = await logged_in.client.get("/dashboard/alerts", params={"state": "acknowledged"})
    assert first.title in acked.text


async def test_webhooks_page_shows_deliveries_and_replays(logged_in: Dash) -> None:
    runtime = logged_in.app.state.runtime
    async with unit_of_work(runtime.sessions) as session:
        created = await create_endpoint(session, runtime.cipher, MERCHANT, url="https://hooks.example.com/in")
        session.add(OutboundDeliveryRow(merchant_id=MERCHANT, endpoint_id=created.row.id, event_id=1, state="dead"))
        await session.flush()
        delivery = (await session.scalars(select(OutboundDeliveryRow))).one()
        session.add(
            OutboundAttemptRow(
                merchant_id=MERCHANT,
                endpoint_id=created.row.id,
                delivery_id=delivery.id,
                event_id=1,
                message_id="evt_1",
                event_type="shipment.created",
                status=503,
                latency_ms=12.0,
                response_excerpt="down for maintenance",
            )
        )
    page = await logged_in.client.get("/dashboard/webhooks", params={"merchant": MERCHANT})
    assert page.status_code == 200
    assert "https://hooks.example.com/in" in page.text and "down for maintenance" in page.text
    assert created.secret not in page.text
    replayed = await logged_in.client.post(
        "/dashboard/webhooks/replay",
        data={"csrf_token": logged_in.csrf, "endpoint_id": str(created.row.id), "delivery_id": str(delivery.id)},
    )
    assert replayed.status_code == 200 and "1 delivery queued again" in replayed.text
    async with runtime.sessions() as session:
        assert (await session.get(OutboundDeliveryRow, delivery.id)).state == "pending"  # type: ignore[union-attr]


async def test_shipment_page_shows_the_expected_window(logged_in: Dash) -> None:
    page = await logged_in.client.get(
        f"/dashboard/shipments/{logged_in.seeded.shipment_id}", params={"merchant": MERCHANT}
    )
    assert page.status_code == 200 and "Expected" in page.text
