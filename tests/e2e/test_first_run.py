"""From an empty database to synced parcels in the browser alone: first store, three connections, a CSV import,
the overview; then a carrier override changes what the UseePay sandbox receives on the next sync.

The server has no merchant; the sandboxes it serves have accounts whose credentials are typed into the
generated connection forms. Every setup page is checked with axe (no serious or critical violation).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from tests.e2e.conftest import EmptyServer
from tests.e2e.server import PASSWORD

pytestmark = pytest.mark.browser

WAIT_MS = 60_000
POLLS = 120
BLOCKING = {"serious", "critical"}
STORE_ID = "first-shop"
PROVIDERS = ("shopline", "useepay", "trackingmore")
LOCAL_ROWS = 3
CSV = "tracking_number,carrier,order_id,fulfillment_id,payment_intent_id\n" + "".join(
    f"YT20260000{i:06d},YunExpress,{9000 + i},f{9000 + i},pi_yun_{i}\n" for i in range(LOCAL_ROWS)
) + "1Z999AA10123456784,ups,9100,f9100,pi_ups_1\n"
"""YunExpress is a carrier TrackingMore and SHOPLINE know by name and UseePay only as its fallback, "others"."""
PARCELS = LOCAL_ROWS + 1


def _axe(page) -> None:  # type: ignore[no-untyped-def]
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    blocking = [
        f"{page.url}: {v['id']} ({v['impact']}): {v['help']}"
        for v in results.response["violations"] if v["impact"] in BLOCKING
    ]
    assert blocking == []


@pytest.fixture(scope="module")
def admin(browser, empty_server: EmptyServer):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    try:
        yield page
    finally:
        context.close()


def _connect(page, provider: str, connection: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    page.click(f"a[href*='/connections/{provider}/form?next=setup']")
    page.wait_for_selector("h1:has-text('Connect')")
    _axe(page)
    for name, value in connection["credentials"].items():
        page.fill(f"#f-credentials-{name.replace('_', '-')}", value)
    page.fill("#f-base-url", connection["base_url"])
    page.click("button:has-text('Test connection')")
    page.wait_for_selector("#probe .probe")
    assert "Connected" in page.locator("#probe").inner_text(), page.locator("#probe").inner_text()
    page.click("button:has-text('Save connection')")
    page.wait_for_selector("h1:has-text('Connect your providers')")


def _synced(page, provider: str) -> str:  # type: ignore[no-untyped-def]
    link = page.locator(f"a[href$='destination={provider}:synced']")
    return link.first.inner_text().strip() if link.count() else "0"


def test_from_an_empty_database_to_synced_parcels_without_the_cli(admin, empty_server: EmptyServer) -> None:  # type: ignore[no-untyped-def]
    page, base = admin, empty_server.base
    page.goto(f"{base}/dashboard/")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/dashboard/setup/store")
    assert page.locator("h1").inner_text() == "Create your first store"
    _axe(page)
    page.fill("#f-merchant-name", "First Shop")
    page.fill("#f-merchant-id", STORE_ID)
    page.click("button:has-text('Create store')")
    page.wait_for_selector("h1:has-text('Connect your providers')")
    _axe(page)
    for provider in PROVIDERS:
        _connect(page, provider, empty_server.connections[provider])
    assert page.locator("td .badge", has_text="Connected").count() == len(PROVIDERS)
    page.click("a:has-text('Continue: import shipments')")
    page.wait_for_selector("li[aria-current=step]:has-text('Import shipments')")
    _axe(page)
    page.set_input_files(
        "input[type=file]", files=[{"name": "first.csv", "mimeType": "text/csv", "buffer": CSV.encode()}]
    )
    page.click("button:has-text('Upload and check')")
    page.click(f"button:has-text('Import {PARCELS} valid rows')")
    page.click("a:has-text('Continue to the overview')")
    page.wait_for_selector("h1:has-text('Overview')")
    for _ in range(POLLS):
        if all(_synced(page, p) == str(PARCELS) for p in PROVIDERS):
            break
        page.wait_for_timeout(500)
        page.reload()
    assert {p: _synced(page, p) for p in PROVIDERS} == {p: str(PARCELS) for p in PROVIDERS}
    _axe(page)
    page.goto(f"{base}/dashboard/connections")
    assert page.locator(f"input[value$='/v1/webhooks/trackingmore/{STORE_ID}']").count() == 1
    _axe(page)
    page.goto(f"{base}/dashboard/merchants")
    _axe(page)


def _useepay_carriers(empty_server: EmptyServer) -> dict[str, str]:
    """payment intent -> carrier, as the UseePay sandbox last received them."""
    trackers = httpx.get(f"{empty_server.sandbox_root}/useepay/_sandbox/trackers", timeout=10).json()["trackers"]
    return {t["payment_intent_id"]: t["shipments"][0]["carrier"] for t in trackers if t["shipments"]}


def test_a_carrier_override_changes_what_the_sandbox_receives(admin, empty_server: EmptyServer) -> None:  # type: ignore[no-untyped-def]
    page, base = admin, empty_server.base
    assert _useepay_carriers(empty_server)["pi_yun_0"] == "others"
    page.goto(f"{base}/dashboard/carriers")
    first = page.locator("tbody tr").first
    assert "yunexpress" in first.locator("th").inner_text()
    cell = page.locator("#map-useepay-yunexpress")
    assert "fallback" in cell.inner_text()
    _axe(page)
    cell.locator("input[name=code]").fill("YunExpress Logistics")
    cell.locator("button:has-text('Set')").click()
    page.wait_for_selector(f"#map-useepay-yunexpress [role=status]:has-text('{LOCAL_ROWS} queued targets')")
    assert "YunExpress Logistics" in page.locator("#map-useepay-yunexpress").inner_text()
    for _ in range(POLLS):
        received = _useepay_carriers(empty_server)
        if all(received.get(f"pi_yun_{i}") == "YunExpress Logistics" for i in range(LOCAL_ROWS)):
            break
        page.wait_for_timeout(500)
    assert [received[f"pi_yun_{i}"] for i in range(LOCAL_ROWS)] == ["YunExpress Logistics"] * LOCAL_ROWS
    assert received["pi_ups_1"] != "YunExpress Logistics"
