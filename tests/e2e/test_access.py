"""Tokens, roles and accessibility in Chromium: a dashboard token works on the API until revoked, a viewer can change
nothing, axe finds no serious or critical violation on any page (admin and viewer), and the keyboard alone is enough."""

from __future__ import annotations

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from tests.e2e.server import PASSWORD, VIEWER, VIEWER_PASSWORD

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1280, "height": 900}
WAIT_MS = 30_000
BLOCKING = {"serious", "critical"}
CHANGING = 'form[method=post]:not([action$="/logout"]), [hx-post], [hx-put], [hx-patch], [hx-delete]'


def _login(browser, base: str, username: str, password: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(f"{base}/dashboard/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/dashboard/")
    return context, page


def _every_page(page, base: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Every page in the nav, plus a shipment's and a payment's detail page reached from their lists."""
    page.goto(f"{base}/dashboard/")
    urls = [a.get_attribute("href") for a in page.locator("nav.nav a").all()]
    page.goto(f"{base}/dashboard/shipments")
    urls.append(page.locator("#shipment-results td[data-label=Tracking] a").first.get_attribute("href"))
    page.goto(f"{base}/dashboard/payments")
    urls.append(page.locator("#at-risk-rows td[data-label='Payment intent'] a").first.get_attribute("href"))
    assert len(urls) >= 14 and all(urls)
    return [u if u.startswith("http") else base + u for u in urls if u]


def _blocking_violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


def test_a_dashboard_token_works_on_the_api_until_it_is_revoked(browser, server) -> None:  # type: ignore[no-untyped-def]
    context, page = _login(browser, server, "admin", PASSWORD)
    try:
        page.click("nav >> text=API tokens")
        page.fill("input[name=name]", "e2e-warehouse")
        page.select_option("select[name=scope]", "read")
        page.click("button >> text=Create token")
        secret = page.locator("#new-token-secret").input_value()
        assert secret.startswith("pst_")
        page.click("button[data-copy=new-token-secret]")
        page.wait_for_function("document.querySelector('[data-copy-status=new-token-secret]').textContent !== ''")
        api = {"Authorization": f"Bearer {secret}"}
        assert httpx.get(f"{server}/v1/shipments", headers=api, timeout=10).status_code == 200
        page.goto(f"{server}/dashboard/tokens")
        assert secret not in page.content()
        row = page.locator("tr", has_text="e2e-warehouse")
        assert "never" not in row.inner_text()  # last used: just now
        row.locator("button >> text=Revoke").click()
        page.wait_for_selector("text=Token revoked.")
        assert httpx.get(f"{server}/v1/shipments", headers=api, timeout=10).status_code == 401
        page.goto(f"{server}/dashboard/activity")
        assert "token.revoked" in page.content() and secret not in page.content()
    finally:
        context.close()


def test_a_viewer_sees_no_changing_form_and_the_server_refuses_one(browser, server) -> None:  # type: ignore[no-untyped-def]
    context, page = _login(browser, server, VIEWER, VIEWER_PASSWORD)
    try:
        for url in _every_page(page, server):
            page.goto(url)
            assert page.locator(CHANGING).count() == 0, url
        csrf = page.locator("input[name=csrf_token]").first.input_value()
        for path in ("/dashboard/settings", "/dashboard/tokens", "/dashboard/import", "/dashboard/problems/retry"):
            answer = page.request.post(server + path, form={"csrf_token": csrf, "name": "x", "scope": "read"})
            assert answer.status == 403, path
    finally:
        context.close()


@pytest.mark.parametrize(("username", "password"), [("admin", PASSWORD), (VIEWER, VIEWER_PASSWORD)])
def test_axe_finds_nothing_serious_on_any_page(browser, server, username, password) -> None:  # type: ignore[no-untyped-def]
    context, page = _login(browser, server, username, password)
    try:
        found = {}
        for url in _every_page(page, server):
            page.goto(url)
            page.wait_for_load_state("networkidle")
            if problems := _blocking_violations(page):
                found[url] = problems
        page.context.clear_cookies()
        page.goto(f"{server}/dashboard/login")
        if problems := _blocking_violations(page):
            found["login"] = problems
        assert found == {}
    finally:
        context.close()


def _tab_to(page, selector: str, limit: int = 60) -> None:  # type: ignore[no-untyped-def]
    """Press Tab until the element matching `selector` has the focus (and show that the focus is visible)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
            assert outline not in ("", "none"), f"{selector} has no visible focus"
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_the_keyboard_alone_signs_in_and_creates_a_token(browser, server) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        page.goto(f"{server}/dashboard/login")
        _tab_to(page, "input[name=username]")
        page.keyboard.press("Control+A")
        page.keyboard.type("admin")
        _tab_to(page, "input[name=password]")
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(f"{server}/dashboard/")
        _tab_to(page, 'nav.nav a[href$="/tokens"]')
        page.keyboard.press("Enter")
        page.wait_for_url(f"{server}/dashboard/tokens")
        _tab_to(page, "input[name=name]")
        page.keyboard.type("typed-by-keyboard")
        _tab_to(page, "select[name=scope]")
        _tab_to(page, "button.primary[type=submit]")
        page.keyboard.press("Enter")
        page.wait_for_selector("#new-token-secret")
        assert "typed-by-keyboard" in page.locator("table").inner_text()
    finally:
        context.close()
