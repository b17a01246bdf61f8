"""Every shipment change records its events in the same transaction; `GET /v1/events` reads them."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from parcelsync.db.base import utcnow
from parcelsync.db.engine import unit_of_work
from parcelsync.db.tables import EventRow, ShipmentRow
from parcelsync.events.feed import prune_events
from parcelsync.ingest.demo import s10_number
from parcelsync.ingest.service import upsert_shipments

pytestmark = pytest.mark.anyio
UPS = "1Z5R89390357567127"


async def feed(client: httpx.AsyncClient, **params: object) -> dict:  # type: ignore[type-arg]
    response = await client.get("/v1/events", params=params)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_create_update_status_delete_each_record_events(merchant: httpx.AsyncClient) -> None:
    created = await merchant.post("/v1/shipments", json={"tracking_number": UPS, "order_id": "o1"})
    assert created.status_code in (200, 201), created.text
    sid = created.json()["id"]
    assert (await merchant.patch(f"/v1/shipments/{sid}", json={"title": "Blue mug"})).status_code == 200
    assert (await merchant.patch(f"/v1/shipments/{sid}", json={"status": "delivered"})).status_code == 200
    assert (await merchant.delete(f"/v1/shipments/{sid}")).status_code in (200, 204)
    page = await feed(merchant)
    types = [e["type"] for e in page["items"]]
    assert types == [
        "shipment.created",
        "shipment.updated",
        "shipment.updated",
        "shipment.status_changed",
        "shipment.delivered",
        "shipment.deleted",
    ]
    assert all(e["shipment_id"] == sid for e in page["items"])
    changed = page["items"][3]["data"]
    assert (changed["from"], changed["to"]) == ("pending", "delivered")
    assert changed["shipment"]["tracking_number"] == UPS and "customer_email" not in changed["shipment"]
    ids = [e["id"] for e in page["items"]]
    assert ids == sorted(ids) and page["next_after"] == ids[-1] and page["has_more"] is False


async def test_feed_cursor_type_and_shipment_filters(merchant: httpx.AsyncClient) -> None:
    items = [{"tracking_number": s10_number(n), "carrier": "china-post"} for n in (1, 2)]
    response = await merchant.post("/v1/shipments/batch", json={"items": items})
    assert response.status_code == 200, response.text
    first, second = (r["id"] for r in response.json()["results"])
    page1 = await feed(merchant, limit=1)
    assert len(page1["items"]) == 1 and page1["has_more"] is True
    page2 = await feed(merchant, after=page1["next_after"], limit=10)
    assert [e["shipment_id"] for e in page1["items"] + page2["items"]] == [first, second]
    assert (await feed(merchant, after=page2["next_after"]))["items"] == []
    only = await feed(merchant, shipment_id=second)
    assert [e["shipment_id"] for e in only["items"]] == [second]
    assert (await feed(merchant, type="shipment.deleted"))["items"] == []
    both = await feed(merchant, type="shipment.deleted,shipment.created")
    assert len(both["items"]) == 2
    bad = await merchant.get("/v1/events", params={"type": "nope"})
    assert bad.status_code == 422 and bad.json()["error"]["fields"][0]["field"] == "type"


async def test_a_rolled_back_change_leaves_no_event(app: FastAPI, merchant: httpx.AsyncClient) -> None:
    sessions = app.state.runtime.sessions
    with pytest.raises(RuntimeError):
        async with unit_of_work(sessions) as session:
            await upsert_shipments(session, "acme", [{"tracking_number": UPS}])
            assert await session.scalar(select(func.count()).select_from(EventRow)) == 1
            raise RuntimeError("the caller fails after the write")
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(EventRow)) == 0
        assert await session.scalar(select(func.count()).select_from(ShipmentRow)) == 0


async def test_events_are_scoped_to_the_merchant(merchant: httpx.AsyncClient) -> None:
    await merchant.post("/v1/shipments", json={"tracking_number": UPS})
    assert (await merchant.post("/v1/merchants", json={"id": "other", "name": "Other"})).status_code == 201
    other = await merchant.get("/v1/events", headers={"X-Merchant-Id": "other"})
    assert other.json()["items"] == []


async def test_retention_prunes_old_events_only(app: FastAPI, merchant: httpx.AsyncClient) -> None:
    await merchant.post("/v1/shipments", json={"tracking_number": UPS})
    sessions = app.state.runtime.sessions
    async with unit_of_work(sessions) as session:
        session.add(
            EventRow(merchant_id="acme", type="shipment.updated", data={}, created_at=utcnow() - timedelta(days=40))
        )
    assert await prune_events(sessions, older_than=utcnow() - timedelta(days=30)) == 1
    assert [e["type"] for e in (await feed(merchant))["items"]] == ["shipment.created"]
