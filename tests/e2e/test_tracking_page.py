"""The buyer tracking page in Chromium: lookup, "not found", token link, language switcher, parcels, axe-core."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from tests.e2e.conftest import ROOT, STARTUP_S, _free_port
from tests.e2e.tracking_server import MERCHANT

from parcelsync.tracking_page.sample import DELIVERED_NUMBER, EMAIL, EXCEPTION_NUMBER, ORDER

pytestmark = pytest.mark.browser
WAIT_MS = 30_000
BLOCKING = {"serious", "critical"}


@dataclass(frozen=True)
class TrackingSite:
    base: str
    token: str

    @property
    def lookup(self) -> str:
        return f"{self.base}/track/{MERCHANT}"

    @property
    def order(self) -> str:
        return f"{self.base}/track/{MERCHANT}/{self.token}"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, chromium_path: str) -> Iterator[TrackingSite]:
    port = _free_port()
    db = tmp_path_factory.mktemp("tracking") / "tracking.db"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.e2e.tracking_server", "--port", str(port), "--db", str(db)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("token "), line
        token = line.split()[2]
        deadline = time.monotonic() + STARTUP_S
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "the tracking page server did not start"
            time.sleep(0.2)
        yield TrackingSite(base, token)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        viewport={"width": 1100, "height": 900}, locale="en-US", timezone_id="America/Los_Angeles"
    )
    tab = context.new_page()
    tab.set_default_timeout(WAIT_MS)
    problems: list[str] = []

    def collect(message) -> None:  # type: ignore[no-untyped-def]
        if message.type == "error" and not str(message.location.get("url", "")).endswith("/favicon.ico"):
            problems.append(f"{message.text} at {message.location.get('url')}")

    tab.on("console", collect)
    tab.problems = problems
    try:
        yield tab
    finally:
        context.close()


def _axe(tab) -> None:  # type: ignore[no-untyped-def]
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(tab)
    blocking = [
        f"{v['id']} ({v['impact']}): {v['help']}" for v in results.response["violations"] if v["impact"] in BLOCKING
    ]
    assert blocking == []


def test_lookup_by_order_and_email_opens_the_order(page, site) -> None:  # type: ignore[no-untyped-def]
    page.goto(site.lookup)
    _axe(page)
    page.fill("#order_number", ORDER)
    page.fill("#email", EMAIL.lower())
    page.click("button[type=submit]")
    page.wait_for_url(f"{site.base}/track/{MERCHANT}/*")
    assert page.locator("h1").inner_text() == f"Order {ORDER}"
    assert page.locator("section.parcel").count() == 2
    assert page.problems == []  # nothing blocked by the page's own CSP, no script errors


def test_wrong_email_answers_not_found(page, site) -> None:  # type: ignore[no-untyped-def]
    page.goto(site.lookup)
    page.fill("#order_number", ORDER)
    page.fill("#email", "someone@example.com")
    page.click("button[type=submit]")
    alert = page.locator("[role=alert]")
    alert.wait_for()
    assert "could not find an order" in alert.inner_text()
    assert page.url.split("?")[0] == site.lookup
    _axe(page)


def test_token_link_shows_the_delivered_and_the_exception_parcel(page, site) -> None:  # type: ignore[no-untyped-def]
    page.goto(site.order)
    delivered = page.locator("section.parcel.status-delivered")
    assert DELIVERED_NUMBER in delivered.inner_text()
    assert "Delivered on" in delivered.inner_text()
    assert delivered.locator(".step.done").count() == 4
    assert delivered.locator(".timeline li.problem").count() == 1  # the failed attempt, marked
    held = page.locator("section.parcel.status-exception")
    assert EXCEPTION_NUMBER in held.inner_text()
    assert held.locator(".step.problem .marker").inner_text() == "Delivery problem"
    assert "Held by customs" in held.inner_text()
    # The browser's zone (Los Angeles), not the destination's default (New York), once the script ran.
    page.wait_for_function("document.body.dataset.zone === 'America/Los_Angeles'")
    assert "Los Angeles" in page.locator(".zone").inner_text()
    link = delivered.locator("a[target=_blank]")
    assert "ups.com" in (link.get_attribute("href") or "")
    _axe(page)
    assert page.problems == []


def test_language_switcher(page, site) -> None:  # type: ignore[no-untyped-def]
    page.goto(site.order)
    page.wait_for_function("document.body.dataset.zone === 'America/Los_Angeles'")  # after the zone reload
    for code, delivered_label in [
        ("ja", "配達済み"),
        ("zh-Hans", "已签收"),
        ("de", "Zugestellt"),
        ("fr", "Livré"),
        ("es", "Entregado"),
    ]:
        page.click(f"nav.languages a[hreflang={code}]")
        page.wait_for_url(re.compile(rf"lang={code}$"))
        assert page.locator("html").get_attribute("lang") == code
        assert delivered_label in page.locator("section.parcel.status-delivered .status").inner_text()
        _axe(page)
    page.goto(site.order)  # the choice is remembered
    assert page.locator("html").get_attribute("lang") == "es"
