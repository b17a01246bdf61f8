"""The API tokens, users and activity pages: the same use cases as the CLI, scoped to the signed-in user."""

from __future__ import annotations

import re

import httpx
import pytest
from tests.integration.web.conftest import PASSWORD, Dash
from tests.integration.web.roles import USER_PASSWORD, add_user, sign_in
from tests.integration.web.seed_data import MERCHANT, OTHER

from parcelsync.security.roles import Role

pytestmark = pytest.mark.anyio
SECRET = re.compile(r'id="new-token-secret"[^>]*value="(pst_[^"]+)"')


async def _create_token(dash: Dash, csrf: str, scope: str, name: str = "warehouse") -> str:
    response = await dash.client.post(
        "/dashboard/tokens", data={"csrf_token": csrf, "name": name, "scope": scope}
    )
    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    found = SECRET.search(response.text)
    assert found is not None
    return found.group(1)


async def test_a_dashboard_token_works_on_the_api_until_revoked(logged_in: Dash) -> None:
    secret = await _create_token(logged_in, logged_in.csrf, "read")
    api = {"Authorization": f"Bearer {secret}"}
    assert (await logged_in.client.get("/v1/shipments", headers=api)).status_code == 200
    listing = await logged_in.client.get("/dashboard/tokens")
    assert secret not in listing.text and secret[:12] in listing.text and "warehouse" in listing.text
    token_id = re.search(r'/dashboard/tokens/(\d+)/revoke', listing.text)
    assert token_id is not None
    revoked = await logged_in.client.post(
        f"/dashboard/tokens/{token_id.group(1)}/revoke", data={"csrf_token": logged_in.csrf}
    )
    assert revoked.status_code == 303
    assert (await logged_in.client.get("/v1/shipments", headers=api)).status_code == 401
    activity = (await logged_in.client.get("/dashboard/activity")).text
    assert "token.created" in activity and "token.revoked" in activity and secret not in activity


async def test_an_operator_makes_merchant_tokens_but_not_admin_ones(dash: Dash) -> None:
    await add_user(dash, "otto", Role.OPERATOR, MERCHANT)
    csrf = await sign_in(dash.client, "otto")
    page = await dash.client.get("/dashboard/tokens")
    assert 'value="admin"' not in page.text
    refused = await dash.client.post("/dashboard/tokens", data={"csrf_token": csrf, "name": "x", "scope": "admin"})
    assert refused.status_code == 422 and "scope" in refused.text
    secret = await _create_token(dash, csrf, "write")
    headers = {"Authorization": f"Bearer {secret}"}
    assert (await dash.client.get(f"/v1/merchants/{MERCHANT}", headers=headers)).status_code == 200
    assert (await dash.client.get(f"/v1/merchants/{OTHER}", headers=headers)).status_code == 404


async def test_users_page_creates_and_resets_within_what_the_user_manages(dash: Dash) -> None:
    await add_user(dash, "otto", Role.OPERATOR, MERCHANT)
    csrf = await sign_in(dash.client, "otto")
    form = {"csrf_token": csrf, "username": "vic", "password": USER_PASSWORD, "role": "viewer", "merchant_id": OTHER}
    other = await dash.client.post("/dashboard/users", data=form)
    assert other.status_code == 422 and "merchant" in other.text
    as_admin = await dash.client.post("/dashboard/users", data={**form, "role": "admin", "merchant_id": ""})
    assert as_admin.status_code == 422
    created = await dash.client.post("/dashboard/users", data={**form, "merchant_id": MERCHANT})
    assert created.status_code == 303
    page = await dash.client.get("/dashboard/users")
    assert "vic" in page.text and "admin" not in re.findall(r'<td data-label="Username">([^<]+)<', page.text)
    vic = re.search(r'/dashboard/users/(\d+)/password"[^>]*>\s*<input[^>]*>\s*<label class="sr-only" for="pw-\d+">'
                    r"New password for vic", page.text)
    assert vic is not None
    reset = await dash.client.post(
        f"/dashboard/users/{vic.group(1)}/password", data={"csrf_token": csrf, "password": "brand-new-password"}
    )
    assert reset.status_code == 303
    await dash.client.post("/dashboard/logout", data={"csrf_token": csrf})
    await sign_in(dash.client, "vic", "brand-new-password")
    activity = (await dash.client.get("/dashboard/activity")).text
    assert "user.created" in activity and "user.password_reset" in activity
    assert "brand-new-password" not in activity and USER_PASSWORD not in activity


async def test_the_first_user_made_in_the_dashboard_is_an_admin(logged_in: Dash) -> None:
    form = {"csrf_token": logged_in.csrf, "username": "ops", "password": USER_PASSWORD, "merchant_id": MERCHANT}
    refused = await logged_in.client.post("/dashboard/users", data={**form, "role": "operator"})
    assert refused.status_code == 422 and "first user" in refused.text
    made = await logged_in.client.post("/dashboard/users", data={**form, "username": "root", "role": "admin"})
    assert made.status_code == 303


async def test_activity_is_filtered_to_the_merchant_for_non_admins(dash: Dash) -> None:
    await add_user(dash, "otto", Role.OPERATOR, MERCHANT)
    await add_user(dash, "hana", Role.OPERATOR, OTHER)
    csrf = await sign_in(dash.client, "hana")
    await _create_token(dash, csrf, "read", name="harbor-only")
    await dash.client.post("/dashboard/logout", data={"csrf_token": csrf})
    csrf = await sign_in(dash.client, "otto")
    assert "harbor-only" not in (await dash.client.get("/dashboard/activity")).text
    await dash.client.post("/dashboard/logout", data={"csrf_token": csrf})
    await sign_in(dash.client, "admin", PASSWORD)
    assert "harbor-only" in (await dash.client.get("/dashboard/activity")).text


async def test_settings_saved_in_the_dashboard_are_logged(logged_in: Dash) -> None:
    response = await logged_in.client.post(
        "/dashboard/settings", data={"csrf_token": logged_in.csrf, "display_name": "Northwind"}
    )
    assert response.status_code == 303
    activity = (await logged_in.client.get("/dashboard/activity")).text
    assert "settings.tracking_page" in activity and "admin" in activity


async def _user_id(dash: Dash, username: str) -> str:
    page = (await dash.client.get("/dashboard/users")).text
    found = re.search(rf'/dashboard/users/(\d+)/password"[^>]*>\s*<input[^>]*>\s*<label class="sr-only" for="pw-\d+">'
                      rf"New password for {username}<", page)
    assert found is not None
    return found.group(1)


async def test_reset_password_and_deactivate_end_the_users_sessions(dash: Dash) -> None:
    await add_user(dash, "otto", Role.OPERATOR, MERCHANT)
    transport = httpx.ASGITransport(app=dash.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as otto:
        await sign_in(otto, "otto")
        admin_csrf = await sign_in(dash.client, "admin", PASSWORD)
        otto_id = await _user_id(dash, "otto")
        reset = await dash.client.post(
            f"/dashboard/users/{otto_id}/password", data={"csrf_token": admin_csrf, "password": "otto-new-password"}
        )
        assert reset.status_code == 303
        assert (await otto.get("/dashboard/")).status_code == 303  # back to the login page
        await sign_in(otto, "otto", "otto-new-password")
        off = await dash.client.post(f"/dashboard/users/{otto_id}/deactivate", data={"csrf_token": admin_csrf})
        assert off.status_code == 303
        assert (await otto.get("/dashboard/")).status_code == 303
        page = await otto.get("/dashboard/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token is not None
        refused = await otto.post(
            "/dashboard/login",
            data={"username": "otto", "password": "otto-new-password", "csrf_token": token.group(1), "next": ""},
        )
        assert refused.status_code == 401
    users = (await dash.client.get("/dashboard/users")).text
    assert "deactivated" in users and f"/dashboard/users/{otto_id}/activate" in users
    on = await dash.client.post(f"/dashboard/users/{otto_id}/activate", data={"csrf_token": admin_csrf})
    assert on.status_code == 303
    activity = (await dash.client.get("/dashboard/activity")).text
    for action in ("user.password_reset", "user.deactivated", "user.activated"):
        assert action in activity
    assert "otto-new-password" not in activity
