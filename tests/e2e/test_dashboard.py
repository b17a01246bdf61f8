"""The dashboard in a real browser: log in, search, open, retry against the sandbox, import a CSV, every page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tests.e2e.server import PASSWORD
from tests.integration.web.seed_data import OTHER, PARKED_REASON

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
WAIT_MS = 30_000


def _login(context, base: str):  # type: ignore[no-untyped-def]
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(f"{base}/dashboard/")
    assert "/dashboard/login" in page.url
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/dashboard/")
    return page


@pytest.fixture
def desktop(browser, server):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=DESKTOP)
    try:
        yield _login(context, server)
    finally:
        context.close()


def _shot(page, screenshots: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    """Desktop shots show the whole page; phone shots show the first screen (what a person sees first)."""
    page.screenshot(path=str(screenshots / f"{name}.png"), full_page=not name.endswith("phone"))


def _first_parked_number(page) -> str:  # type: ignore[no-untyped-def]
    """A tracking number whose UseePay target is parked, found through the destination filter."""
    page.select_option("select[name=destination]", "useepay:parked")
    page.wait_for_url(re.compile(r"destination=useepay%3Aparked"))
    return page.locator("#shipment-results td[data-label=Tracking] a").first.inner_text().strip()


def test_login_search_open_and_retry_a_parked_target_until_it_syncs(desktop, server, screenshots) -> None:  # type: ignore[no-untyped-def]
    page = desktop
    assert page.locator("h1").inner_text() == "Overview"
    page.click("nav >> text=Shipments")
    number = _first_parked_number(page)
    page.fill("input[name=q]", number)
    page.press("input[name=q]", "Enter")
    page.wait_for_url(re.compile(rf"q={number}"))
    results = page.locator("#shipment-results td[data-label=Tracking] a")
    assert results.count() == 1
    _shot(page, screenshots, "search-1280")
    results.first.click()
    page.wait_for_selector("h1.mono")
    assert page.locator("h1").inner_text() == number
    card = page.locator("#dest-useepay")
    assert card.locator(".badge").inner_text() == "Parked"
    assert PARKED_REASON in card.inner_text()
    _shot(page, screenshots, "shipment-parked-1280")
    card.locator("button", has_text="Retry").click()
    page.wait_for_selector("#dest-useepay .badge.state-synced", timeout=WAIT_MS)
    assert "Synced" in page.locator("#dest-useepay .badge").inner_text()
    _shot(page, screenshots, "shipment-synced-1280")
    page.reload()
    assert page.locator("#dest-useepay .badge").inner_text() == "Synced"


def test_csv_upload_shows_the_bad_row_with_its_line_number_then_imports(desktop, server, screenshots) -> None:  # type: ignore[no-untyped-def]
    page = desktop
    page.click("nav >> text=Import")
    csv_text = (
        "tracking_number,carrier,order_id,customer_email\n"
        "LX987654326CN,china-post,7001,dee@example.com\n"
        "1Z999AA10123456784,ups,7002,this-is-not-an-email\n"
        "YT7777777777777777,yunexpress,7003,eve@example.com\n"
    )
    page.set_input_files(
        "input[type=file]", files=[{"name": "backfill.csv", "mimeType": "text/csv", "buffer": csv_text.encode()}]
    )
    page.click("button:has-text('Upload and check')")
    page.wait_for_selector("text=waiting for your confirmation")
    errors = page.locator(".row-errors tbody tr")
    assert errors.count() == 1
    assert "Line 3" in errors.first.inner_text()
    assert "customer_email" in errors.first.inner_text()
    _shot(page, screenshots, "import-checked-1280")
    page.click("button:has-text('Import 2 valid rows')")
    page.wait_for_selector("dd:has-text('Imported')")
    _shot(page, screenshots, "import-done-1280")
    page.click("nav >> text=Shipments")
    page.fill("input[name=q]", "7001")
    page.press("input[name=q]", "Enter")
    page.wait_for_selector("#shipment-results a:has-text('LX987654326CN')")


def test_test_connection_reaches_the_sandbox(desktop, server) -> None:  # type: ignore[no-untyped-def]
    page = desktop
    page.click("nav >> text=Connections")
    cards = page.locator("article.dest")
    assert cards.count() == 3
    for i in range(3):
        cards.nth(i).locator("button", has_text="Test connection").click()
        cards.nth(i).locator(".probe").wait_for()
        assert "Connected" in cards.nth(i).locator(".probe").inner_text()


def test_merchant_selector_switches_merchant(desktop, server) -> None:  # type: ignore[no-untyped-def]
    page = desktop
    page.select_option("#merchant", OTHER)
    page.wait_for_url(re.compile(rf"merchant={OTHER}"))
    assert "Blue Harbor Outfitters" in page.locator(".page-head").inner_text()
    page.click("nav >> text=Shipments")
    assert page.locator("#merchant").input_value() == OTHER


PAGES = [("overview", "/dashboard/"), ("shipments", "/dashboard/shipments"), ("problems", "/dashboard/problems"),
         ("import", "/dashboard/import"), ("connections", "/dashboard/connections"), ("alerts", "/dashboard/alerts"),
         ("webhooks", "/dashboard/webhooks"), ("payments", "/dashboard/payments")]  # fmt: skip


@pytest.mark.parametrize(("viewport", "size"), [("1280", DESKTOP), ("phone", PHONE)])
def test_every_page_renders_without_horizontal_overflow(browser, server, screenshots, viewport, size) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=size)
    try:
        page = _login(context, server)
        _shot(page, screenshots, f"login-redirected-{viewport}")
        for name, path in [*PAGES, ("shipment", None)]:
            if path is None:
                page.goto(f"{server}/dashboard/shipments")
                page.locator("#shipment-results td[data-label=Tracking] a").first.click()
                page.wait_for_selector("h1.mono")
            else:
                page.goto(server + path)
            assert page.locator("h1").count() >= 1
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{name} scrolls sideways by {overflow}px at {viewport}"
            _shot(page, screenshots, f"{name}-{viewport}")
        if viewport == "1280":
            page.goto(f"{server}/dashboard/")
            assert page.evaluate("typeof window.Chart") == "function"
            assert page.evaluate("typeof window.htmx") == "object"
    finally:
        context.close()


def test_login_page_screenshot(browser, server, screenshots) -> None:  # type: ignore[no-untyped-def]
    for viewport, size in (("1280", DESKTOP), ("phone", PHONE)):
        context = browser.new_context(viewport=size)
        try:
            page = context.new_page()
            page.goto(f"{server}/dashboard/login")
            page.fill("input[name=password]", "wrong")
            page.click("button[type=submit]")
            page.wait_for_selector("text=Wrong username or password")
            _shot(page, screenshots, f"login-{viewport}")
        finally:
            context.close()
