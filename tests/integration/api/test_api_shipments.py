"""Shipments through the API on SQLite and PostgreSQL: idempotent upsert, batches, listing, patch, delete."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select

from parcelsync.db.tables import ShipmentRow, StatusEventRow, SyncTargetRow
from parcelsync.ingest.demo import s10_number

pytestmark = pytest.mark.anyio

UPS = "1Z5R89390357567127"


def shipment(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "tracking_number": UPS,
        "order_id": "1001",
        "fulfillment_id": "5001",
        "payment_intent_id": "pi_123",
        "customer_email": "Jane@Example.com",
        "destination_country": "us",
        "ship_date": "2024-05-01",
    }
    body.update(overrides)
    return body


async def count(app, model, *where) -> int:  # type: ignore[no-untyped-def]
    async with app.state.runtime.sessions() as session:
        return (await session.scalar(select(func.count()).select_from(model).where(*where))) or 0


async def test_create_normalises_and_detects_the_carrier(merchant: httpx.AsyncClient) -> None:
    response = await merchant.post("/v1/shipments", json=shipment(tracking_number=" 1z5r 8939-0357 567127 "))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["result"] == "created"
    s = body["shipment"]
    assert (s["tracking_number"], s["carrier"], s["status"], s["version"]) == (UPS, "ups", "pending", 1)
    assert (s["customer_email"], s["destination_country"]) == ("jane@example.com", "US")


async def test_same_body_twice_is_unchanged_and_writes_nothing(app, merchant: httpx.AsyncClient) -> None:  # type: ignore[no-untyped-def]
    await merchant.put("/v1/merchants/acme/connections/trackingmore", json={"credentials": {"api_key": "k" * 32}})
    first = await merchant.post("/v1/shipments", json=shipment())
    before = (await merchant.get(f"/v1/shipments/{first.json()['id']}")).json()
    targets_before = await count(app, SyncTargetRow)
    second = await merchant.post("/v1/shipments", json=shipment())
    assert second.status_code == 200
    assert second.json()["result"] == "unchanged"
    after = (await merchant.get(f"/v1/shipments/{first.json()['id']}")).json()
    assert after == before
    async with app.state.runtime.sessions() as session:
        versions = (await session.scalars(select(SyncTargetRow.desired_version))).all()
    assert versions == [1] and targets_before == 1


async def test_a_change_updates_bumps_version_and_targets(app, merchant: httpx.AsyncClient) -> None:  # type: ignore[no-untyped-def]
    await merchant.put(
        "/v1/merchants/acme/connections/useepay",
        json={"credentials": {"merchant_no": "500000", "app_id": "shop.example", "api_key": "UseePay_SK_secret"}},
    )
    await merchant.post("/v1/shipments", json=shipment())
    moved = await merchant.post("/v1/shipments", json=shipment(payment_intent_id="pi_456", status="in_transit"))
    assert moved.status_code == 200
    assert moved.json()["result"] == "updated"
    assert moved.json()["shipment"]["version"] == 2
    async with app.state.runtime.sessions() as session:
        targets = dict((await session.execute(select(SyncTargetRow.target_key, SyncTargetRow.desired_version))).all())
    assert targets == {"pi_123": 2, "pi_456": 1}
    assert await count(app, StatusEventRow, StatusEventRow.to_status == "in_transit") == 1


async def test_invalid_check_digit_is_a_422_naming_the_field(merchant: httpx.AsyncClient) -> None:
    response = await merchant.post("/v1/shipments", json=shipment(tracking_number="1Z5R89390357567128"))
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert error["fields"][0]["field"] == "tracking_number"
    assert "check digit" in error["fields"][0]["reason"]


async def test_a_letter_as_ups_check_digit_is_a_422_not_a_500(merchant: httpx.AsyncClient) -> None:
    response = await merchant.post("/v1/shipments", json=shipment(tracking_number="1ZKQLZ60XTJNFU8RMO"))
    assert response.status_code == 422
    assert response.json()["error"]["fields"][0]["field"] == "tracking_number"
    batch = await merchant.post("/v1/shipments/batch", json={"items": [shipment(tracking_number="1ZKQLZ60XTJNFU8RMO")]})
    assert batch.status_code == 200
    (result,) = batch.json()["results"]
    assert result["status"] == "rejected" and result["errors"][0]["field"] == "tracking_number"


async def test_unknown_format_needs_a_carrier_and_is_flagged_with_one(merchant: httpx.AsyncClient) -> None:
    missing = await merchant.post("/v1/shipments", json=shipment(tracking_number="ABCD12345"))
    assert missing.status_code == 422
    assert missing.json()["error"]["fields"][0]["field"] == "carrier"
    given = await merchant.post("/v1/shipments", json=shipment(tracking_number="ABCD12345", carrier="4px"))
    assert given.status_code == 201
    assert given.json()["shipment"]["carrier"] == "4px"
    assert "unknown_format" in given.json()["shipment"]["flags"]


async def test_carrier_aliases_resolve_to_one_shipment(merchant: httpx.AsyncClient) -> None:
    first = await merchant.post("/v1/shipments", json=shipment(tracking_number="ABCD12345", carrier="4PX"))
    second = await merchant.post("/v1/shipments", json=shipment(tracking_number="abcd-12345", carrier="fourpx"))
    assert second.json()["result"] == "unchanged"
    assert second.json()["id"] == first.json()["id"]


async def test_batch_rejects_only_the_bad_item(merchant: httpx.AsyncClient) -> None:
    items = [
        shipment(tracking_number=s10_number(1)),
        shipment(tracking_number="1Z5R89390357567128"),
        shipment(tracking_number=s10_number(2), colour="red"),
        shipment(tracking_number=s10_number(3)),
    ]
    response = await merchant.post("/v1/shipments/batch", json={"items": items})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["created", "rejected", "rejected", "created"]
    assert results[1]["errors"][0]["field"] == "tracking_number"
    assert results[2]["errors"] == [{"field": "colour", "reason": "unknown field"}]
    assert response.json()["summary"] == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 2}
    listed = (await merchant.get("/v1/shipments")).json()["items"]
    assert sorted(s["id"] for s in listed) == sorted([results[0]["id"], results[3]["id"]])
    again = await merchant.post("/v1/shipments/batch", json={"items": items})
    assert [r["status"] for r in again.json()["results"]] == ["unchanged", "rejected", "rejected", "unchanged"]


async def test_batch_with_a_non_object_item_rejects_that_item(merchant: httpx.AsyncClient) -> None:
    response = await merchant.post("/v1/shipments/batch", json={"items": ["oops", shipment()]})
    assert [r["status"] for r in response.json()["results"]] == ["rejected", "created"]
    assert response.json()["results"][0]["errors"][0]["field"] == "item"


async def test_batch_over_the_limit_names_the_field(merchant: httpx.AsyncClient) -> None:
    items = [shipment(tracking_number=s10_number(i)) for i in range(1001)]
    response = await merchant.post("/v1/shipments/batch", json={"items": items})
    assert response.status_code == 413
    assert response.json()["error"]["fields"][0]["field"] == "items"


async def test_batch_of_1000_in_one_request(app, merchant: httpx.AsyncClient) -> None:  # type: ignore[no-untyped-def]
    for provider, creds in (
        ("trackingmore", {"api_key": "k" * 32}),
        ("useepay", {"merchant_no": "500000", "app_id": "shop", "api_key": "UseePay_SK_x"}),
        ("shopline", {"handle": "acme", "access_token": "t" * 40}),
    ):
        await merchant.put(f"/v1/merchants/acme/connections/{provider}", json={"credentials": creds})
    items = [
        shipment(tracking_number=s10_number(i), order_id=f"o{i}", fulfillment_id=f"f{i}", payment_intent_id=f"pi{i}")
        for i in range(1000)
    ]
    response = await merchant.post("/v1/shipments/batch", json={"items": items})
    assert response.json()["summary"]["created"] == 1000
    assert await count(app, SyncTargetRow) == 3000


async def test_duplicate_numbers_in_one_batch_make_one_shipment(merchant: httpx.AsyncClient) -> None:
    items = [shipment(), shipment(title="second"), shipment(title="second")]
    results = (await merchant.post("/v1/shipments/batch", json={"items": items})).json()["results"]
    assert [r["status"] for r in results] == ["created", "created", "unchanged"]
    assert len({r["id"] for r in results}) == 1
    shown = (await merchant.get(f"/v1/shipments/{results[0]['id']}")).json()
    assert shown["title"] == "second"


async def test_patch_changes_only_given_fields_and_null_clears(merchant: httpx.AsyncClient) -> None:
    created = (await merchant.post("/v1/shipments", json=shipment(title="Mug"))).json()
    url = f"/v1/shipments/{created['id']}"
    patched = await merchant.patch(url, json={"title": "Two mugs", "customer_email": None})
    assert patched.json()["result"] == "updated"
    s = patched.json()["shipment"]
    assert (s["title"], s["customer_email"], s["order_id"], s["version"]) == ("Two mugs", None, "1001", 2)
    same = await merchant.patch(url, json={"title": "Two mugs"})
    assert same.json()["result"] == "unchanged"
    bad = await merchant.patch(url, json={"tracking_number": None})
    assert bad.status_code == 422 and bad.json()["error"]["fields"][0]["field"] == "tracking_number"


async def test_patch_onto_another_shipments_number_is_a_conflict(merchant: httpx.AsyncClient) -> None:
    await merchant.post("/v1/shipments", json=shipment(tracking_number=s10_number(1)))
    other = (await merchant.post("/v1/shipments", json=shipment(tracking_number=s10_number(2)))).json()
    response = await merchant.patch(f"/v1/shipments/{other['id']}", json={"tracking_number": s10_number(1)})
    assert response.status_code == 409
    assert response.json()["error"]["fields"][0]["field"] == "tracking_number"


async def test_delete_is_soft_bumps_targets_and_a_repost_revives(app, merchant: httpx.AsyncClient) -> None:  # type: ignore[no-untyped-def]
    await merchant.put("/v1/merchants/acme/connections/trackingmore", json={"credentials": {"api_key": "k" * 32}})
    created = (await merchant.post("/v1/shipments", json=shipment())).json()
    url = f"/v1/shipments/{created['id']}"
    assert (await merchant.delete(url)).status_code == 204
    assert (await merchant.get(url)).status_code == 404
    assert (await merchant.delete(url)).status_code == 404
    assert (await merchant.get("/v1/shipments")).json()["items"] == []
    assert await count(app, ShipmentRow, ShipmentRow.deleted_at.is_not(None)) == 1
    async with app.state.runtime.sessions() as session:
        assert await session.scalar(select(SyncTargetRow.desired_version)) == 2
    revived = await merchant.post("/v1/shipments", json=shipment())
    assert revived.json()["result"] == "updated"
    assert revived.json()["id"] == created["id"]


async def test_merchants_cannot_see_each_others_shipments(merchant: httpx.AsyncClient) -> None:
    created = (await merchant.post("/v1/shipments", json=shipment())).json()
    await merchant.post("/v1/merchants", json={"id": "other", "name": "Other"})
    other = {"X-Merchant-Id": "other"}
    assert (await merchant.get(f"/v1/shipments/{created['id']}", headers=other)).status_code == 404
    assert (await merchant.get("/v1/shipments", headers=other)).json()["items"] == []
    assert (await merchant.delete(f"/v1/shipments/{created['id']}", headers=other)).status_code == 404
    own = await merchant.post("/v1/shipments", json=shipment(), headers=other)
    assert own.json()["result"] == "created" and own.json()["id"] != created["id"]


async def test_merchant_header_missing_or_unknown(client: httpx.AsyncClient) -> None:
    missing = await client.get("/v1/shipments")
    assert missing.status_code == 400
    assert missing.json()["error"]["fields"][0]["field"] == "X-Merchant-Id"
    unknown = await client.get("/v1/shipments", headers={"X-Merchant-Id": "nobody"})
    assert unknown.status_code == 404
