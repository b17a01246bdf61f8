"""Helpers for dashboard tests with real users: create them, and sign a client in as one."""

from __future__ import annotations

import re

import httpx
from tests.integration.web.conftest import CSRF_RE, PASSWORD, Dash

from parcelsync.db.engine import unit_of_work
from parcelsync.security import passwords
from parcelsync.security.roles import Role

USER_PASSWORD = "viewer-password-1"
POST_FORM = re.compile(r'<form[^>]*method="post"[^>]*action="([^"]+)"|hx-(?:post|put|patch|delete)="([^"]+)"')


async def add_user(dash: Dash, username: str, role: Role, merchant_id: str | None) -> None:
    """Add a user; the first call also makes `admin` a real user (the admin password stops working then)."""
    async with unit_of_work(dash.app.state.runtime.sessions) as session:
        if not await passwords.has_users(session):
            await passwords.create_user(session, "admin", PASSWORD, role=Role.ADMIN)
        await passwords.create_user(session, username, USER_PASSWORD, merchant_id=merchant_id, role=role)


async def sign_in(client: httpx.AsyncClient, username: str, password: str = USER_PASSWORD) -> str:
    """Sign the client in and return the session's CSRF token."""
    page = await client.get("/dashboard/login")
    token = CSRF_RE.search(page.text)
    assert token is not None
    response = await client.post(
        "/dashboard/login",
        data={"username": username, "password": password, "csrf_token": token.group(1), "next": "/dashboard/"},
    )
    assert response.status_code == 303, response.text
    found = CSRF_RE.search((await client.get("/dashboard/")).text)
    assert found is not None
    return found.group(1)


def changing_forms(html: str) -> list[str]:
    """The targets of every form or htmx call on a page that could change something (logout aside)."""
    targets = [a or b for a, b in POST_FORM.findall(html)]
    return [t for t in targets if not t.endswith("/logout")]
