"""The security headers as a pure decision: what each kind of answer gets, and what a route's own headers keep."""

from __future__ import annotations

from parcelsync.security.headers import STRICT_CSP, security_headers


def _decide(
    path: str = "/v1/shipments",
    *,
    scheme: str = "http",
    request: dict[str, str] | None = None,
    response: dict[str, str] | None = None,
) -> dict[str, str]:
    return security_headers(scheme=scheme, path=path, request_headers=request or {}, response_headers=response or {})


def test_an_ordinary_answer_gets_the_strict_policy_and_no_framing() -> None:
    headers = _decide("/healthz")
    assert headers["Content-Security-Policy"] == STRICT_CSP
    assert "script-src 'self'" in STRICT_CSP and "frame-ancestors 'none'" in STRICT_CSP
    assert "'unsafe-inline'" not in STRICT_CSP and "'unsafe-eval'" not in STRICT_CSP
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "Cache-Control" not in headers and "Strict-Transport-Security" not in headers


def test_hsts_only_over_https() -> None:
    assert "Strict-Transport-Security" in _decide(scheme="https")
    assert "Strict-Transport-Security" not in _decide(scheme="http")


def test_answers_to_credentials_and_dashboard_pages_are_not_stored() -> None:
    assert _decide(request={"authorization": "Bearer x"})["Cache-Control"] == "no-store"
    assert _decide("/metrics", request={"cookie": "a=1; ps_session=abc"})["Cache-Control"] == "no-store"
    assert _decide("/dashboard/shipments")["Cache-Control"] == "no-store"
    assert "Cache-Control" not in _decide("/dashboard/static/app.js", request={"cookie": "ps_session=abc"})


def test_a_route_with_its_own_policy_keeps_it_and_its_framing() -> None:
    own = {"content-security-policy": "frame-ancestors https://shop.example", "cache-control": "max-age=60"}
    headers = _decide("/track/m/t", response=own)
    assert "Content-Security-Policy" not in headers
    assert "X-Frame-Options" not in headers
    assert "Cache-Control" not in headers
    assert headers["X-Content-Type-Options"] == "nosniff"
