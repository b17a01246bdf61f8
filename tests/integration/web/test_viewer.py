"""A viewer sees no form that changes anything, and every state-changing dashboard request of theirs is a 403."""

from __future__ import annotations

import re

import httpx
import pytest
from tests.integration.security.routes import _walk as walk_routes
from tests.integration.web.conftest import Dash
from tests.integration.web.roles import add_user, changing_forms, sign_in
from tests.integration.web.seed_data import MERCHANT

from parcelsync.security.roles import Role
from parcelsync.web.app import PREFIX, SAFE_METHODS, VIEWER_MAY_POST

pytestmark = pytest.mark.anyio
PARAM = re.compile(r"\{[^}]+\}")


def _changing_routes(dash: Dash) -> list[tuple[str, str]]:
    """(method, path) of every non-GET dashboard route, whichever module added it, path parameters filled in."""
    found = []
    for path, methods, _route in walk_routes(list(dash.app.routes)):
        if path.startswith(PREFIX) and path not in VIEWER_MAY_POST:
            found += [(method, PARAM.sub("1", path)) for method in sorted(methods - SAFE_METHODS)]
    return found


@pytest.fixture
async def viewer(dash: Dash) -> tuple[Dash, str]:
    await add_user(dash, "vera", Role.VIEWER, MERCHANT)
    return dash, await sign_in(dash.client, "vera")


async def test_every_changing_dashboard_route_refuses_a_viewer(viewer: tuple[Dash, str]) -> None:
    dash, csrf = viewer
    routes = _changing_routes(dash)
    assert len(routes) >= 12  # retry, import, settings, tokens, users, ... (new pages are picked up by themselves)
    for method, path in routes:
        response = await dash.client.request(method, path, headers={"X-CSRF-Token": csrf}, data={"x": "1"})
        assert response.status_code == 403, (method, path, response.status_code)
        assert "viewer" in response.text


async def test_the_same_requests_pass_the_guard_for_an_operator(dash: Dash) -> None:
    await add_user(dash, "otto", Role.OPERATOR, MERCHANT)
    csrf = await sign_in(dash.client, "otto")
    for method, path in _changing_routes(dash):
        response = await dash.client.request(method, path, headers={"X-CSRF-Token": csrf}, data={"x": "1"})
        assert response.status_code != 403 or "viewer" not in response.text, (method, path)


PAGES = ["/", "/shipments", "/problems", "/payments", "/import", "/connections", "/alerts", "/webhooks", "/settings",
         "/tokens", "/users", "/activity", "/carriers"]


async def test_a_viewer_sees_every_page_without_a_changing_form(viewer: tuple[Dash, str]) -> None:
    dash, _ = viewer
    detail_pages = [f"/shipments/{dash.seeded.shipment_id}", f"/payments/{dash.seeded.payment_intent_id}"]
    for path in PAGES + detail_pages:
        response = await dash.client.get(PREFIX + path)
        assert response.status_code == 200, path
        assert changing_forms(response.text) == [], path


async def test_an_admin_sees_the_changing_forms(logged_in: Dash) -> None:
    for path in ("/tokens", "/users", "/settings", "/import"):
        response = await logged_in.client.get(PREFIX + path)
        assert changing_forms(response.text), path


async def test_a_viewer_still_signs_out(viewer: tuple[Dash, str]) -> None:
    dash, csrf = viewer
    response = await dash.client.post(f"{PREFIX}/logout", headers={"X-CSRF-Token": csrf})
    assert response.status_code == 303
    assert isinstance(dash.client, httpx.AsyncClient)
