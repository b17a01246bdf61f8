"""Payments at risk in a real browser: open the page, follow a row, download the evidence pack."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader
from tests.e2e.test_dashboard import DESKTOP, WAIT_MS, _login, _shot

pytestmark = pytest.mark.browser


def test_open_payments_at_risk_follow_a_row_and_download_the_pack(browser, server, screenshots, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=DESKTOP, accept_downloads=True)
    try:
        page = _login(context, server)
        assert int(page.locator("[data-testid=overview-at-risk]").inner_text()) >= 1
        page.click("nav >> text=Payments at risk")
        page.wait_for_selector("#at-risk-rows")
        assert page.locator("h1").inner_text() == "Payments at risk"
        assert "Rejected by the gateway" in page.locator("#at-risk-rows").inner_text()
        _shot(page, screenshots, "payments-at-risk-1280")
        link = page.locator("#at-risk-rows td[data-label='Payment intent'] a").first
        intent = link.inner_text().strip()
        link.click()
        page.wait_for_selector("h1.mono")
        assert page.locator("h1").inner_text() == intent
        _shot(page, screenshots, "payment-1280")
        with page.expect_download(timeout=WAIT_MS) as download_info:
            page.click("a.button >> text=Evidence pack")
        target = tmp_path / "pack.pdf"
        download_info.value.save_as(str(target))
        assert target.read_bytes().startswith(b"%PDF")
        text = "".join(p.extract_text() for p in PdfReader(str(target)).pages)
        assert intent in text and "SHA-256" in text
        page.locator("td a.mono").first.click()
        page.wait_for_selector("h1.mono")
        assert page.locator("a.button >> text=Evidence pack").count() == 1
    finally:
        context.close()
