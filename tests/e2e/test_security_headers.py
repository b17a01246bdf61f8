"""Every dashboard page and the API docs under the strict Content-Security-Policy: not one violation.

The docs must also render with the network cut off (every request to another host aborted): their
assets ship in the package.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest
from tests.e2e.test_dashboard import DESKTOP, PAGES, WAIT_MS, _login

pytestmark = pytest.mark.browser

# Runs before any page script (Playwright evaluates it outside the page's CSP) and records each violation.
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  var where = e.sourceFile + ":" + e.lineNumber;
  window.__violations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + where);
});
"""
REDOC_BADGE = "https://cdn.redoc.ly/"
EXTRA_PAGES = [("settings", "/dashboard/settings"), ("payment filter", "/dashboard/payments?state=open")]


def _violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    return list(page.evaluate("window.__violations || []"))


def test_every_dashboard_page_runs_under_the_csp_without_a_violation(browser, server) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=DESKTOP)
    problems: list[str] = []
    try:
        context.add_init_script(LISTEN)
        context.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
        page = _login(context, server)
        seen: dict[str, list[str]] = {}
        for name, path in [*PAGES, *EXTRA_PAGES, ("shipment", None), ("login", "/dashboard/login")]:
            if path is None:
                page.goto(f"{server}/dashboard/shipments")
                page.locator("#shipment-results td[data-label=Tracking] a").first.click()
                page.wait_for_selector("h1.mono")
            else:
                response = page.goto(server + path)
                assert response is not None
                policy = response.headers.get("content-security-policy", "")
                assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy, name
                assert response.headers.get("cache-control") == "no-store", name
            page.wait_for_load_state("networkidle")
            seen[name] = _violations(page)
        page.goto(f"{server}/dashboard/")
        assert page.evaluate("typeof window.Chart") == "function"
        assert page.evaluate("typeof window.htmx") == "object"
        assert page.evaluate("htmx.config.allowEval") is False
    finally:
        context.close()
    assert {name: found for name, found in seen.items() if found} == {}
    assert [p for p in problems if "Content Security Policy" in p] == []


@contextmanager
def _offline_page(browser, server: str, path: str) -> Iterator[tuple[object, list[str]]]:  # type: ignore[no-untyped-def]
    """`path` opened with every request that leaves the hub aborted; yields the page and what was attempted."""
    host = urlsplit(server).netloc
    attempted: list[str] = []

    def route(r) -> None:  # type: ignore[no-untyped-def]
        if urlsplit(r.request.url).netloc == host:
            r.continue_()
        else:
            attempted.append(r.request.url)
            r.abort()

    context = browser.new_context(viewport=DESKTOP)
    try:
        context.route("**/*", route)
        context.add_init_script(LISTEN)
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        page.goto(server + path)
        yield page, attempted
    finally:
        context.close()


def test_swagger_ui_renders_the_operations_with_the_network_cut_off(browser, server) -> None:  # type: ignore[no-untyped-def]
    with _offline_page(browser, server, "/docs") as (page, attempted):
        page.wait_for_selector(".opblock-summary-path")
        assert page.locator(".opblock").count() > 20
        assert "/v1/shipments" in page.locator(".swagger-ui").inner_text()
        assert _violations(page) == []
    assert attempted == []


def test_redoc_renders_with_the_network_cut_off(browser, server) -> None:  # type: ignore[no-untyped-def]
    with _offline_page(browser, server, "/redoc") as (page, attempted):
        page.wait_for_selector("h1:has-text('parcelsync')")
        page.wait_for_function("document.body.innerText.includes('/v1/shipments')")
        assert page.locator("[data-section-id^='operation/']").count() > 20
        # ReDoc's "powered by" badge points at its CDN; the policy keeps it from loading, and that is all it blocks.
        assert [v for v in _violations(page) if not v.startswith(f"img-src {REDOC_BADGE}")] == []
    assert attempted == []
