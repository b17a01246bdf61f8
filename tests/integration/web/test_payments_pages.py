"""The dashboard's "Payments at risk" page, a payment's page, its evidence pack and the retry button."""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from pypdf import PdfReader
from tests.integration.web.conftest import Dash

from parcelsync.db.tables import SyncTargetRow
from parcelsync.payments import risk_cache, risk_index

pytestmark = pytest.mark.anyio


async def test_payments_at_risk_lists_the_rejected_intent(logged_in: Dash) -> None:
    seeded = logged_in.seeded
    page = await logged_in.client.get("/dashboard/payments")
    assert page.status_code == 200
    assert "Payments at risk" in page.text and seeded.payment_intent_id in page.text
    assert "Rejected by the gateway" in page.text
    assert f'href="/dashboard/shipments/{seeded.shipment_id}"' in page.text
    only = await logged_in.client.get("/dashboard/payments", params={"reason": "rejected_by_gateway"})
    assert seeded.payment_intent_id in only.text
    overview = await logged_in.client.get("/dashboard/")
    assert "payments at risk" in overview.text and 'data-testid="overview-at-risk"' in overview.text


async def test_a_payment_page_and_its_evidence_pack(logged_in: Dash) -> None:
    seeded = logged_in.seeded
    url = f"/dashboard/payments/{quote(seeded.payment_intent_id)}"
    page = await logged_in.client.get(url)
    assert page.status_code == 200 and seeded.tracking_number in page.text and "Evidence pack" in page.text
    pdf = await logged_in.client.get(f"{url}/evidence.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).replace("\n", "")
    assert seeded.tracking_number in text and pdf.headers["x-evidence-sha256"] in text
    shipment = await logged_in.client.get(f"/dashboard/shipments/{seeded.shipment_id}")
    assert f"{url}/evidence.pdf" in shipment.text
    assert (await logged_in.client.get("/dashboard/payments/pi_nobody")).status_code == 404
    zipped = await logged_in.client.get("/dashboard/payments/export.zip", params={"from": "2000-01-01"})
    assert zipped.status_code == 200 and zipped.headers["content-type"] == "application/zip"


async def test_retry_requeues_the_rejected_upload(logged_in: Dash) -> None:
    seeded = logged_in.seeded
    url = f"/dashboard/payments/{quote(seeded.payment_intent_id)}/retry?back=list"
    refused = await logged_in.client.post(url, data={})
    assert refused.status_code in (400, 403)
    response = await logged_in.client.post(url, data={"csrf_token": logged_in.csrf})
    assert response.status_code == 303 and response.headers["location"].startswith("/dashboard/payments?flash=")
    async with logged_in.app.state.runtime.sessions() as session:
        target = await session.get(SyncTargetRow, seeded.parked_target_id)
    assert target is not None and target.state == "pending"


async def test_a_large_merchants_overview_and_payments_page_show_their_age(
    logged_in: Dash, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past `LIVE_INTENTS` the numbers come from the risk index: the overview never waits for its first build."""
    monkeypatch.setattr(risk_index, "LIVE_INTENTS", 0)
    risk_cache.CACHE.clear()
    try:
        first = await logged_in.client.get("/dashboard/")
        assert first.status_code == 200 and 'data-testid="overview-at-risk-pending"' in first.text
        await risk_cache.CACHE.settled()
        overview = await logged_in.client.get("/dashboard/")
        assert 'data-testid="overview-at-risk-as-of"' in overview.text
        page = await logged_in.client.get("/dashboard/payments")
        assert logged_in.seeded.payment_intent_id in page.text and "Counts as of" in page.text
    finally:
        risk_cache.CACHE.clear()
