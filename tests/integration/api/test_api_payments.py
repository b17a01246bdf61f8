"""The payment-intent routes: order value input, list filters, detail per gateway, evidence JSON/PDF, settings."""

from __future__ import annotations

import hashlib
import io

import httpx
import pytest
from pypdf import PdfReader

pytestmark = pytest.mark.anyio
UPS = "1Z5R89390357567127"
S10 = "LX000000116CN"


async def seed(client: httpx.AsyncClient) -> None:
    items = [
        {"tracking_number": UPS, "payment_intent_id": "pi_a", "order_id": "1001", "order_value": "49.90",
         "currency": "usd", "ship_date": "2026-01-05", "customer_email": "olivia@example.com"},
        {"tracking_number": S10, "carrier": "china-post", "payment_intent_id": "pi_a", "order_id": "1001",
         "order_value": "49.90", "currency": "USD", "ship_date": "2026-01-06", "status": "exception"},
    ]
    response = await client.post("/v1/shipments/batch", json={"items": items})
    assert response.json()["summary"]["created"] == 2, response.text


async def test_order_value_is_validated_and_shown(merchant: httpx.AsyncClient) -> None:
    bad = await merchant.post("/v1/shipments", json={"tracking_number": UPS, "order_value": "4.999", "currency": "USD"})
    assert bad.status_code == 422
    assert bad.json()["error"]["fields"] == [{"field": "order_value", "reason": "USD has 2 decimal place(s); got 3"}]
    ok = await merchant.post("/v1/shipments", json={"tracking_number": UPS, "order_value": "5", "currency": "eur"})
    assert ok.status_code == 201 and ok.json()["shipment"]["order_value"] == "5.00"
    assert ok.json()["shipment"]["currency"] == "EUR"


async def test_list_detail_and_value_counted_once(merchant: httpx.AsyncClient) -> None:
    await seed(merchant)
    page = (await merchant.get("/v1/payment-intents", params={"at_risk": "true"})).json()
    assert page["total"] == 1
    (item,) = page["items"]
    assert item["payment_intent_id"] == "pi_a" and item["value"] == [{"currency": "USD", "amount": "49.90"}]
    assert {r["reason"] for r in item["reasons"]} >= {"parcel_exception"}
    assert page["summary"]["totals"] == [{"currency": "USD", "amount": "49.90"}]
    assert page["summary"]["by_reason"]["parcel_exception"] == 1
    assert (await merchant.get("/v1/payment-intents", params={"reason": "stuck"})).json()["total"] == 0
    unknown = await merchant.get("/v1/payment-intents", params={"risky": "1"})
    assert unknown.status_code == 422 and unknown.json()["error"]["fields"][0]["field"] == "risky"
    bad_state = await merchant.get("/v1/payment-intents", params={"state": "nope"})
    assert bad_state.status_code == 422
    detail = (await merchant.get("/v1/payment-intents/pi_a")).json()
    assert {p["tracking_number"] for p in detail["parcels"]} == {UPS, S10}
    assert detail["connections"] == {}  # no payment-gateway connection yet
    assert (await merchant.get("/v1/payment-intents/pi_missing")).status_code == 404


async def test_evidence_as_json_or_pdf(merchant: httpx.AsyncClient) -> None:
    await seed(merchant)
    as_json = await merchant.get("/v1/payment-intents/pi_a/evidence")
    assert as_json.status_code == 200 and as_json.headers["content-type"].startswith("application/json")
    digest = hashlib.sha256(as_json.content).hexdigest()
    assert as_json.headers["x-evidence-sha256"] == digest
    assert as_json.json()["buyer"]["email"] == "o****a@example.com"
    as_pdf = await merchant.get("/v1/payment-intents/pi_a/evidence", headers={"Accept": "application/pdf"})
    assert as_pdf.status_code == 200 and as_pdf.content.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(as_pdf.content)).pages).replace("\n", "")
    assert as_pdf.headers["x-evidence-sha256"] in text and UPS in text and S10 in text
    zipped = await merchant.get("/v1/payment-intents/evidence.zip", params={"from": "2026-01-01", "to": "2026-01-31"})
    assert zipped.status_code == 200 and zipped.headers["x-evidence-packs"] == "1"
    backwards = await merchant.get(
        "/v1/payment-intents/evidence.zip", params={"from": "2026-02-01", "to": "2026-01-01"}
    )
    assert backwards.status_code == 422 and backwards.json()["error"]["fields"][0]["field"] == "to"


async def test_settings_per_merchant(merchant: httpx.AsyncClient) -> None:
    assert (await merchant.get("/v1/payment-settings")).json() == {
        "accept_within_hours": 24, "stuck_after_days": 7, "late_after_days": 30, "default_payment_gateway": None,
    }
    put = await merchant.put("/v1/payment-settings", json={"accept_within_hours": 48})
    assert put.status_code == 200 and put.json()["accept_within_hours"] == 48
    assert (await merchant.get("/v1/payment-settings")).json()["accept_within_hours"] == 48
    bad = await merchant.put("/v1/payment-settings", json={"accept_within_hours": 0})
    assert bad.status_code == 422 and bad.json()["error"]["fields"][0]["field"] == "accept_within_hours"
    await merchant.post("/v1/merchants", json={"id": "other", "name": "Other"})
    other = await merchant.get("/v1/payment-settings", headers={"X-Merchant-Id": "other"})
    assert other.json()["accept_within_hours"] == 24


async def test_default_payment_gateway_setting(merchant: httpx.AsyncClient) -> None:
    put = await merchant.put("/v1/payment-settings", json={"default_payment_gateway": "paypal"})
    assert put.status_code == 200 and put.json()["default_payment_gateway"] == "paypal"
    kept = await merchant.put("/v1/payment-settings", json={"accept_within_hours": 36})  # omitted: unchanged
    assert kept.json()["default_payment_gateway"] == "paypal" and kept.json()["accept_within_hours"] == 36
    bad = await merchant.put("/v1/payment-settings", json={"default_payment_gateway": "shopline"})
    assert bad.status_code == 422 and bad.json()["error"]["fields"][0]["field"] == "default_payment_gateway"
    cleared = await merchant.put("/v1/payment-settings", json={"default_payment_gateway": None})
    assert cleared.json()["default_payment_gateway"] is None


async def test_evidence_of_one_order(merchant: httpx.AsyncClient) -> None:
    await seed(merchant)
    pack = await merchant.get("/v1/orders/1001/evidence")
    assert pack.status_code == 200
    doc = pack.json()
    assert doc["payment"]["order_ids"] == ["1001"] and doc["payment"]["payment_intent_id"] == "pi_a"
    assert doc["payment"]["order_value"] == [{"currency": "USD", "amount": "49.90"}]
    assert {p["tracking_number"] for p in doc["parcels"]} == {UPS, S10}
    pdf = await merchant.get("/v1/orders/1001/evidence", headers={"Accept": "application/pdf"})
    assert pdf.content.startswith(b"%PDF") and 'filename="evidence-pi_a.pdf"' in pdf.headers["content-disposition"]
    assert (await merchant.get("/v1/orders/9999/evidence")).status_code == 404
