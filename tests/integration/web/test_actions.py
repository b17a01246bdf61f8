"""Retry one target, bulk-retry a problem group, and import a CSV with a bad row."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select
from tests.integration.web.conftest import Dash
from tests.integration.web.seed_data import MERCHANT, PARKED_REASON

from parcelsync.db.engine import unit_of_work
from parcelsync.db.tables import ShipmentRow, SyncTargetRow

pytestmark = pytest.mark.anyio


async def _target(dash: Dash, target_id: int) -> SyncTargetRow:
    async with unit_of_work(dash.app.state.runtime.sessions) as session:
        row = await session.get(SyncTargetRow, target_id)
        assert row is not None
        return row


async def test_htmx_retry_requeues_the_target_and_returns_the_refreshed_card(logged_in: Dash) -> None:
    seeded = logged_in.seeded
    response = await logged_in.client.post(
        f"/dashboard/targets/{seeded.parked_target_id}/retry?shipment={seeded.shipment_id}",
        headers={"X-CSRF-Token": logged_in.csrf, "HX-Request": "true"},
    )
    assert response.status_code == 200
    assert 'id="dest-useepay"' in response.text
    assert "Queued for retry" in response.text
    assert 'hx-trigger="every 2s"' in response.text
    row = await _target(logged_in, seeded.parked_target_id)
    assert (row.state, row.attempts, row.reason) == ("pending", 0, None)


async def test_retrying_a_target_of_another_state_or_merchant_is_not_found(logged_in: Dash) -> None:
    seeded = logged_in.seeded
    headers = {"X-CSRF-Token": logged_in.csrf}
    first = await logged_in.client.post(f"/dashboard/targets/{seeded.parked_target_id}/retry", headers=headers)
    assert first.status_code == 303
    again = await logged_in.client.post(f"/dashboard/targets/{seeded.parked_target_id}/retry", headers=headers)
    assert again.status_code == 404


async def test_bulk_retry_requeues_the_whole_group_only(logged_in: Dash) -> None:
    response = await logged_in.client.post(
        "/dashboard/problems/retry",
        data={"provider": "useepay", "state": "parked", "reason": PARKED_REASON, "csrf_token": logged_in.csrf},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert f"{logged_in.seeded.parked_count} targets queued for retry" in response.text
    assert "quota exhausted" in response.text
    async with unit_of_work(logged_in.app.state.runtime.sessions) as session:
        states = list(await session.scalars(select(SyncTargetRow.state).where(SyncTargetRow.merchant_id == MERCHANT)))
    assert states.count("parked") == 0
    assert states.count("dead") == 1


async def _wait_for(dash: Dash, job_url: str, text: str) -> str:
    for _ in range(200):
        page = await dash.client.get(job_url)
        if text in page.text:
            return page.text
        await asyncio.sleep(0.05)
    raise AssertionError(f"{text!r} never appeared on {job_url}")


async def test_csv_import_previews_reports_line_numbers_and_imports_on_confirm(logged_in: Dash) -> None:
    csv_text = (
        "tracking_number,carrier,order_id,customer_email\n"
        "LX123456785CN,china-post,5001,ann@example.com\n"
        ",ups,5002,bob@example.com\n"
        "1Z999AA10123456784,ups,5003,not-an-email\n"
        "YT1234567890123456,yunexpress,5004,cy@example.com\n"
    )
    upload = await logged_in.client.post(
        "/dashboard/import",
        data={"csrf_token": logged_in.csrf},
        files={"file": ("backfill.csv", csv_text.encode(), "text/csv")},
    )
    assert upload.status_code == 303
    job_url = upload.headers["location"]
    checked = await _wait_for(logged_in, job_url, "waiting for your confirmation")
    assert "Line 3" in checked and "Line 4" in checked
    assert "tracking_number" in checked and "customer_email" in checked
    assert "LX123456785CN" in checked  # preview
    assert "Import 2 valid rows" in checked
    async with unit_of_work(logged_in.app.state.runtime.sessions) as session:
        assert await session.scalar(select(ShipmentRow.id).where(ShipmentRow.order_id == "5001")) is None
    confirm = await logged_in.client.post(f"{job_url}/confirm", data={"csrf_token": logged_in.csrf})
    assert confirm.status_code == 303
    done = await _wait_for(logged_in, job_url, "Imported")
    assert "created" in done
    async with unit_of_work(logged_in.app.state.runtime.sessions) as session:
        found = await session.scalar(select(ShipmentRow.tracking_number).where(ShipmentRow.order_id == "5001"))
    assert found == "LX123456785CN"


async def test_csv_with_a_bad_header_fails_with_the_reason(logged_in: Dash) -> None:
    upload = await logged_in.client.post(
        "/dashboard/import",
        data={"csrf_token": logged_in.csrf},
        files={"file": ("bad.csv", b"number,colour\nX,red\n", "text/csv")},
    )
    page = await _wait_for(logged_in, upload.headers["location"], "Failed")
    assert "unknown column(s): number, colour" in page


async def test_an_empty_upload_is_refused(logged_in: Dash) -> None:
    upload = await logged_in.client.post(
        "/dashboard/import", data={"csrf_token": logged_in.csrf}, files={"file": ("empty.csv", b"", "text/csv")}
    )
    assert upload.status_code == 400
    assert "The file is empty" in upload.text


async def test_a_csv_over_the_api_body_cap_still_uploads_but_other_bodies_are_capped(logged_in: Dash) -> None:
    cap = logged_in.app.state.runtime.settings.max_body_bytes
    row = "LX123456785CN," + "t" * 3_000 + "\n"  # each row's title is too long: rejected per row, quickly
    csv_bytes = ("tracking_number,title\n" + row * (cap // len(row) + 10)).encode()
    assert len(csv_bytes) > cap
    upload = await logged_in.client.post(
        "/dashboard/import", data={"csrf_token": logged_in.csrf}, files={"file": ("big.csv", csv_bytes, "text/csv")}
    )
    assert upload.status_code == 303, upload.text
    checked = await _wait_for(logged_in, upload.headers["location"], "waiting for your confirmation")
    assert "Line 2" in checked
    other = await logged_in.client.post("/dashboard/login", content=b"x" * (cap + 1))
    assert other.status_code == 413
