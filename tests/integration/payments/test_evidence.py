"""The evidence pack: exactly this intent's parcels, checkpoints and receipts (never another merchant's); the PDF."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from tests.integration.sync.sync_harness import MERCHANT, Hub, shipment

from parcelsync.db.base import utcnow
from parcelsync.db.engine import unit_of_work
from parcelsync.db.queries.merchants import create_merchant
from parcelsync.db.tables import CheckpointRow, ShipmentRow, SyncReceiptRow
from parcelsync.ingest.service import upsert_shipments
from parcelsync.payments.evidence import build_pack
from parcelsync.payments.export import export_zip
from parcelsync.payments.pdf import render_pdf

pytestmark = pytest.mark.anyio
INTENT = "pi_000001"
OTHER = "other_merchant"


async def seed(hub: Hub) -> None:
    """Merchant A: intent 1 with two delivered-ish parcels, intent 2; merchant B: the same intent id."""
    await hub.upsert([
        shipment(1, intent=1, order=1, customer_email="olivia@example.com", ship_date="2026-05-01",
                 order_value="80.00", currency="EUR", tracking_url="https://track.example/1"),
        shipment(2, intent=1, order=1, customer_email="olivia@example.com", ship_date="2026-05-02",
                 order_value="80.00", currency="EUR"),
        shipment(3, intent=2, order=2, customer_email="noah@example.com"),
    ])
    await hub.drain(hub.worker())
    async with unit_of_work(hub.sessions) as session:
        await create_merchant(session, "Other", OTHER)
        await upsert_shipments(session, OTHER, [shipment(1, intent=1, customer_email="eve@example.org")])
        session.add(SyncReceiptRow(merchant_id=OTHER, provider="useepay", target_key=INTENT, version=9,
                                   acknowledged_at=utcnow(), request_id="other-req", parcels=[]))
        rows = (await session.scalars(select(ShipmentRow).order_by(ShipmentRow.id))).all()
        by = {(r.merchant_id, r.tracking_number): r for r in rows}
        first = by[(MERCHANT, shipment(1)["tracking_number"])]
        now = utcnow()
        session.add_all([
            CheckpointRow(shipment_id=first.id, time=now - timedelta(days=3), description="Accepted by carrier",
                          location="Shenzhen, CN", status="in_transit"),
            CheckpointRow(shipment_id=first.id, time=now - timedelta(days=1), description="Delivered to mailbox",
                          location="Lyon, FR", status="delivered"),
            CheckpointRow(shipment_id=by[(MERCHANT, shipment(3)["tracking_number"])].id, time=now,
                          description="Intent two scan", location="Elsewhere", status="in_transit"),
            CheckpointRow(shipment_id=by[(OTHER, shipment(1)["tracking_number"])].id, time=now,
                          description="Other merchant scan", location="Nowhere", status="in_transit"),
        ])


async def test_the_pack_holds_exactly_this_intents_facts(any_hub: Hub) -> None:
    hub = any_hub
    await seed(hub)
    async with hub.sessions() as session:
        pack = await build_pack(session, MERCHANT, INTENT, utcnow())
    assert pack is not None
    doc = json.loads(pack.canonical_json)
    assert hashlib.sha256(pack.canonical_json).hexdigest() == pack.sha256
    assert doc["merchant"] == {"id": MERCHANT, "name": "Test merchant"}
    assert doc["payment"] == {"payment_intent_id": INTENT, "payment_intent_ids": [INTENT], "order_ids": ["ord000001"],
                              "order_value": [{"currency": "EUR", "amount": "80.00"}]}
    assert doc["buyer"]["email"] == "o****a@example.com"
    assert "olivia@example.com" not in pack.canonical_json.decode()
    numbers = [p["tracking_number"] for p in doc["parcels"]]
    assert numbers == [shipment(1)["tracking_number"], shipment(2)["tracking_number"]]
    first = doc["parcels"][0]
    assert first["tracking_url"] == "https://track.example/1" and first["ship_date"] == "2026-05-01"
    assert first["delivery_checkpoint"]["location"] == "Lyon, FR"
    assert first["delivery_checkpoint"]["description"] == "Delivered to mailbox"
    assert [c["description"] for c in first["checkpoints"]] == ["Accepted by carrier", "Delivered to mailbox"]
    every_scan = {c["description"] for p in doc["parcels"] for c in p["checkpoints"]}
    assert every_scan == {"Accepted by carrier", "Delivered to mailbox"}
    kinds = {(r["provider"], r["kind"], r["target"]) for r in doc["receipts"]}
    assert kinds == {("useepay", "payment gateway", INTENT), ("shopline", "store", "ord000001/ful000001")}
    assert all(r["request_id"] != "other-req" for r in doc["receipts"])
    gateway = next(r for r in doc["receipts"] if r["kind"] == "payment gateway")
    assert {p["tracking_number"] for p in gateway["sent"]} == set(numbers)
    async with hub.sessions() as session:
        theirs = await build_pack(session, OTHER, INTENT, utcnow())
        assert await build_pack(session, MERCHANT, "pi_unknown", utcnow()) is None
    assert theirs is not None
    assert [r["request_id"] for r in theirs.document["receipts"]] == ["other-req"]
    assert {c["description"] for p in theirs.document["parcels"] for c in p["checkpoints"]} == {"Other merchant scan"}


async def test_the_pdf_text_holds_the_numbers_and_the_hash(any_hub: Hub) -> None:
    hub = any_hub
    await seed(hub)
    async with hub.sessions() as session:
        pack = await build_pack(session, MERCHANT, INTENT, utcnow())
    assert pack is not None
    reader = PdfReader(io.BytesIO(render_pdf(pack)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    flat = text.replace("\n", "")
    assert pack.sha256 in flat
    for number in (shipment(1)["tracking_number"], shipment(2)["tracking_number"], INTENT, "ord000001"):
        assert number in text
    assert "Lyon, FR" in text and "Delivered to mailbox" in text and "o****a@example.com" in text
    assert "olivia@example.com" not in text
    attached = reader.attachments
    (name,) = attached
    assert attached[name][0] == pack.canonical_json


async def test_bulk_export_zips_every_pack_in_the_range(any_hub: Hub) -> None:
    hub = any_hub
    await seed(hub)
    async with hub.sessions() as session:
        data, count = await export_zip(session, MERCHANT, date(2026, 4, 1), date(2026, 5, 31), utcnow())
    assert count == 1
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert sorted(archive.namelist()) == ["SHA256SUMS", f"{INTENT}.json", f"{INTENT}.pdf"]
    digest = hashlib.sha256(archive.read(f"{INTENT}.json")).hexdigest()
    assert archive.read("SHA256SUMS").decode() == f"{digest}  {INTENT}.json\n"
