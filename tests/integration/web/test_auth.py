"""Login, session cookie flags, CSRF on every POST, logout."""

from __future__ import annotations

import pytest
from tests.integration.web.conftest import CSRF_RE, PASSWORD, Dash

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("path", ["/dashboard/", "/dashboard/shipments", "/dashboard/problems", "/dashboard/import",
                                  "/dashboard/connections", "/dashboard/shipments/1"])  # fmt: skip
async def test_every_page_requires_login(dash: Dash, path: str) -> None:
    response = await dash.client.get(path)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/dashboard/login?next=")


async def test_htmx_requests_without_a_session_are_told_to_redirect(dash: Dash) -> None:
    response = await dash.client.get("/dashboard/shipments", headers={"HX-Request": "true"})
    assert response.headers["HX-Redirect"].startswith("/dashboard/login")


async def test_wrong_password_is_refused(dash: Dash) -> None:
    form = await dash.client.get("/dashboard/login")
    token = CSRF_RE.search(form.text)
    assert token is not None
    response = await dash.client.post(
        "/dashboard/login", data={"username": "admin", "password": "nope", "csrf_token": token.group(1)}
    )
    assert response.status_code == 401
    assert "Wrong username or password" in response.text
    assert "ps_session" not in response.headers.get("set-cookie", "")


async def test_login_without_the_form_token_is_refused(dash: Dash) -> None:
    response = await dash.client.post(
        "/dashboard/login", data={"username": "admin", "password": "x", "csrf_token": "forged"}
    )
    assert response.status_code == 400


async def test_session_cookie_is_httponly_and_samesite_lax(dash: Dash) -> None:
    form = await dash.client.get("/dashboard/login")
    token = CSRF_RE.search(form.text)
    assert token is not None
    response = await dash.client.post(
        "/dashboard/login", data={"username": "admin", "password": PASSWORD, "csrf_token": token.group(1)}
    )
    cookie = next(v for v in response.headers.get_list("set-cookie") if v.startswith("ps_session="))
    assert "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()


async def test_open_redirects_are_refused(dash: Dash) -> None:
    form = await dash.client.get("/dashboard/login")
    token = CSRF_RE.search(form.text)
    assert token is not None
    response = await dash.client.post(
        "/dashboard/login",
        data={"username": "admin", "password": PASSWORD, "csrf_token": token.group(1), "next": "https://evil.example/"},
    )
    assert response.headers["location"] == "/dashboard/"


async def test_a_tampered_session_cookie_is_not_a_session(dash: Dash) -> None:
    dash.client.cookies.set("ps_session", "eyJ1IjoiYWRtaW4ifQ.forged.signature")
    response = await dash.client.get("/dashboard/")
    assert response.status_code == 303


async def test_posts_without_the_csrf_token_are_forbidden(logged_in: Dash) -> None:
    target = logged_in.seeded.parked_target_id
    assert (await logged_in.client.post(f"/dashboard/targets/{target}/retry")).status_code == 403
    bad = await logged_in.client.post(f"/dashboard/targets/{target}/retry", headers={"X-CSRF-Token": "wrong"})
    assert bad.status_code == 403
    form = await logged_in.client.post("/dashboard/problems/retry", data={"provider": "useepay", "state": "parked"})
    assert form.status_code == 403
    assert (await logged_in.client.post("/dashboard/logout")).status_code == 403


async def test_logout_ends_the_session(logged_in: Dash) -> None:
    response = await logged_in.client.post("/dashboard/logout", data={"csrf_token": logged_in.csrf})
    assert response.status_code == 303
    assert (await logged_in.client.get("/dashboard/")).status_code == 303


async def test_no_password_configured_means_no_login(dash: Dash) -> None:
    from parcelsync.web.auth import AdminPasswordAuthenticator

    dash.app.state.dashboard.authenticator = AdminPasswordAuthenticator(None)
    form = await dash.client.get("/dashboard/login")
    assert "Login is disabled" in form.text
    token = CSRF_RE.search(form.text)
    assert token is not None
    response = await dash.client.post(
        "/dashboard/login", data={"username": "admin", "password": "", "csrf_token": token.group(1)}
    )
    assert response.status_code == 401


async def test_the_site_root_leads_to_the_dashboard(dash: Dash) -> None:
    response = await dash.client.get("/")
    assert response.headers["location"] == "/dashboard/"
