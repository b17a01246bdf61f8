"""The README's scope table is the truth: every route of the app is in it, and every route answers every
kind of caller (no token, read, write, admin, another merchant's token) as its row says."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import Route

from parcelsync.db.crypto import generate_key
from parcelsync.settings import Settings

from .conftest import ALPHA, World, bearer
from .routes import PARAM, _documented, _walk

pytestmark = pytest.mark.anyio
README = Path(__file__).resolve().parents[3] / "README.md"
START, END = "<!-- scope-table:start -->", "<!-- scope-table:end -->"
SCOPES = ("public", "read", "write", "admin")
CALLERS = ("none", "read", "write", "admin", "other")
DENIED = (401, 403)


@pytest.fixture
def settings(database_url: str) -> Settings:
    """The security folder's settings, with tracking-page lookup limits out of the way of this walk."""
    return Settings(
        database_url=database_url, secret_key=generate_key(), auto_migrate=False, max_body_bytes=50_000,
        tracking_lookups_per_address=10_000, tracking_lookups_per_merchant=10_000,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class Row:
    method: str
    path: str
    scope: str


def scope_table() -> dict[tuple[str, str], str]:
    text = README.read_text()
    assert START in text and END in text, f"README.md needs the scope table between {START} and {END}"
    rows: dict[tuple[str, str], str] = {}
    for line in text.split(START, 1)[1].split(END, 1)[0].splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or cells[0] in ("Method", "") or set(cells[0]) <= {"-", ":"}:
            continue
        method, path, scope = cells[0].upper(), cells[1], cells[2]
        assert scope in SCOPES, f"{method} {path}: scope {scope!r} is not one of {SCOPES}"
        assert (method, path) not in rows, f"{method} {path} is in the scope table twice"
        rows[(method, path)] = scope
    return rows


def app_routes(app: FastAPI) -> set[tuple[str, str]]:
    """Every (method, path) the app serves, outside the dashboard (which has its own login)."""
    found = {(m, p) for p, methods, _ in _walk(list(app.routes)) for m in methods - {"HEAD", "OPTIONS"}}
    for route in app.routes:
        if isinstance(route, Route) and not isinstance(route, APIRoute):
            found |= {(m, _documented(route.path)) for m in (route.methods or set()) - {"HEAD", "OPTIONS"}}
    return {(m, p) for m, p in found if p != "/dashboard" and not p.startswith("/dashboard/")}


def sample_url(world: World, path: str) -> str:
    values: dict[str, object] = {
        "merchant_id": ALPHA, "shipment_id": world.alpha_shipment, "provider": "trackingmore", "carrier": "ups",
        "endpoint_id": 999999, "delivery_id": 999999, "alert_id": 999999, "intent_id": "pi_alpha",
        "order_id": "alpha-order", "token": "not-a-token", "store": "shopline",
    }  # fmt: skip
    missing = [p for p in PARAM.findall(path) if p not in values]
    assert not missing, f"{path}: add a sample value for {missing} in test_scope_table.py"
    return PARAM.sub(lambda m: str(values[m.group(1)]), path)


def expected(scope: str, caller: str, path: str) -> str:
    """What a caller should get: 'allowed' (neither 401 nor 403), '401', '403', or '404' (another merchant's).
    A public route must answer the same whatever token comes with it (a webhook's 401 is its signature's)."""
    if scope == "public":
        return "same for every caller"
    if caller == "none":
        return "401"
    if caller == "other" and "{merchant_id}" in path:
        return "404"
    rank = {"read": 1, "write": 2, "admin": 3}
    caller_rank = {"read": 1, "write": 2, "other": 2, "admin": 3}[caller]
    return "403" if caller_rank < rank[scope] else "allowed"


def outcome(status: int, wanted: str) -> str:
    if wanted == "404" and status == 404:
        return "404"
    return str(status) if status in DENIED else "allowed"


async def test_every_route_is_in_the_table_and_every_row_is_a_route(app: FastAPI) -> None:
    table, served = set(scope_table()), app_routes(app)
    assert sorted(served - table) == [], "routes missing from the README scope table"
    assert sorted(table - served) == [], "rows in the README scope table that are no route"


async def test_every_route_answers_every_caller_as_the_table_says(world: World, http: httpx.AsyncClient) -> None:
    tokens = {"none": None, "read": world.alpha_read, "write": world.alpha_write, "admin": world.admin,
              "other": world.bravo_write}  # fmt: skip
    wrong: list[str] = []
    for (method, path), scope in sorted(scope_table().items()):
        url = sample_url(world, path)
        public_statuses: set[int] = set()
        for caller in CALLERS:
            token = tokens[caller]
            headers = bearer(token) if token else {}
            if caller == "admin" and "{merchant_id}" not in path:
                headers["X-Merchant-Id"] = ALPHA
            response = await http.request(method, url, json={}, headers=headers)
            public_statuses.add(response.status_code)
            want = expected(scope, caller, path)
            if scope != "public" and outcome(response.status_code, want) != want:
                wrong.append(f"{method} {path} [{scope}] as {caller}: {response.status_code}, expected {want}")
        if scope == "public" and len(public_statuses) > 1:
            wrong.append(f"{method} {path} [public]: a token changed the answer ({sorted(public_statuses)})")
    assert wrong == []
