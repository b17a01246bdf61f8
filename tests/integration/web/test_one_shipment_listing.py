"""The API listing and the dashboard list are one listing: the same shipments for the same filter, the same
destinations for a shipment (a disabled connection included), on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from tests.integration.web.conftest import PASSWORD, Dash
from tests.integration.web.seed_data import MERCHANT, seed

from parcelsync.api.app import create_app
from parcelsync.db.crypto import generate_key
from parcelsync.db.engine import unit_of_work
from parcelsync.domain.provider import Provider
from parcelsync.ingest.connections import save_connection
from parcelsync.security.tokens import Scope, create_token
from parcelsync.settings import Settings

pytestmark = pytest.mark.anyio
ROW_LINK = re.compile(r'href="/dashboard/shipments/(\d+)"')
OLDER = re.compile(r'[?&;]after=([^"&]+)"')
NEWER = re.compile(r'[?&;]before=([^"&]+)"')


@pytest.fixture
async def both(database_url: str) -> AsyncIterator[tuple[Dash, httpx.AsyncClient]]:
    """The dashboard logged in and an API client for the same merchant, on one app and database."""
    settings = Settings(database_url=database_url, secret_key=generate_key(), admin_password=PASSWORD,
                        auto_migrate=False)
    app = create_app(settings)
    runtime = app.state.runtime
    async with unit_of_work(runtime.sessions) as session:
        seeded = await seed(session, runtime.cipher)
        token = (await create_token(session, scope=Scope.ADMIN, name="tests")).secret
    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {token}", "X-Merchant-Id": MERCHANT}
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as web,
        httpx.AsyncClient(transport=transport, base_url="http://testserver", headers=headers) as api,
    ):
        dash = Dash(app, web, seeded)
        await dash.login()
        yield dash, api
    await runtime.engine.dispose()


async def api_ids(api: httpx.AsyncClient, **params: str) -> list[int]:
    """Every id the API lists for the filter, following next_cursor in pages of 7."""
    ids: list[int] = []
    query: dict[str, Any] = {**params, "limit": 7}
    while True:
        page = await api.get("/v1/shipments", params=query)
        assert page.status_code == 200, page.text
        ids.extend(item["id"] for item in page.json()["items"])
        if page.json()["next_cursor"] is None:
            return ids
        query["cursor"] = page.json()["next_cursor"]


async def dashboard_ids(dash: Dash, **params: str) -> list[int]:
    """Every id the dashboard lists for the filter, following its "Older" links."""
    ids: list[int] = []
    query = dict(params)
    while True:
        page = await dash.client.get("/dashboard/shipments", params=query)
        assert page.status_code == 200
        ids.extend(int(i) for i in ROW_LINK.findall(page.text))
        older = OLDER.search(page.text)
        if older is None:
            return ids
        query = {**params, "after": unquote(older.group(1))}


@pytest.mark.parametrize(
    "params",
    [{}, {"status": "in_transit"}, {"status": "delivered"}, {"carrier": "china-post"}, {"carrier": "China Post"},
     {"status": "in_transit", "carrier": "china-post"}, {"carrier": "nobody-ships-this"}],
)
async def test_the_api_and_the_dashboard_list_the_same_shipments(both, params: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    dash, api = both
    from_api, from_dashboard = await api_ids(api, **params), await dashboard_ids(dash, **params)
    assert len(from_dashboard) == len(set(from_dashboard))  # every shipment once
    assert sorted(from_api) == sorted(from_dashboard)
    if not params:
        assert len(from_api) == dash.seeded.total


async def test_the_dashboard_pages_back_with_the_same_cursors(both) -> None:  # type: ignore[no-untyped-def]
    dash, _ = both
    first = await dash.client.get("/dashboard/shipments")
    older = OLDER.search(first.text)
    assert older is not None
    second = await dash.client.get("/dashboard/shipments", params={"after": unquote(older.group(1))})
    newer = NEWER.search(second.text)
    assert newer is not None
    back = await dash.client.get("/dashboard/shipments", params={"before": unquote(newer.group(1))})
    assert ROW_LINK.findall(back.text) == ROW_LINK.findall(first.text)


async def test_a_bad_cursor_is_a_422_on_the_api_and_the_first_page_on_the_dashboard(both) -> None:  # type: ignore[no-untyped-def]
    dash, api = both
    by_update = (await api.get("/v1/shipments", params={"sort": "updated_at", "limit": 2})).json()["next_cursor"]
    for cursor in ("eyJzIjoiaWQiLCJpZCI6MTAwfQ", by_update, by_update[:-2] + "AA"):
        answer = await api.get("/v1/shipments", params={"cursor": cursor})
        assert answer.status_code == 422, cursor
        assert [f["field"] for f in answer.json()["error"]["fields"]] == ["cursor"]
    first = await dash.client.get("/dashboard/shipments")
    garbage = await dash.client.get("/dashboard/shipments", params={"after": "not-a-cursor"})
    assert garbage.status_code == 200 and ROW_LINK.findall(garbage.text) == ROW_LINK.findall(first.text)


async def test_a_disabled_connection_is_shown_skipped_alike(both) -> None:  # type: ignore[no-untyped-def]
    dash, api = both
    gateway = Provider.USEEPAY.value
    hero = dash.seeded.shipment_id
    parked = await dashboard_ids(dash, destination=f"{gateway}:parked")
    assert hero in parked and len(parked) == dash.seeded.parked_count

    runtime = dash.app.state.runtime
    async with unit_of_work(runtime.sessions) as session:
        await save_connection(session, runtime.cipher, MERCHANT, Provider.USEEPAY, enabled=False, merge=True)

    detail = (await api.get(f"/v1/shipments/{hero}")).json()
    shown = detail["destinations"][gateway]
    assert (shown["state"], shown["reason"], shown["target_key"]) == ("skipped", "no connection", None)
    page = await dash.client.get(f"/dashboard/shipments/{hero}")
    card = page.text.split(f'id="dest-{gateway}"')[1].split("</article>")[0]
    assert "state-skipped" in card and "no connection" in card
    assert "Target" not in card and "Retry" not in card
    # The list's destination filter follows the same model: every shipment is skipped there, none parked.
    assert await dashboard_ids(dash, destination=f"{gateway}:parked") == []
    assert sorted(await dashboard_ids(dash, destination=f"{gateway}:skipped")) == sorted(await api_ids(api))


async def test_a_missing_key_is_skipped_in_the_list_as_on_the_shipment_page(both) -> None:  # type: ignore[no-untyped-def]
    dash, api = both
    gateway = Provider.USEEPAY.value
    skipped = await dashboard_ids(dash, destination=f"{gateway}:skipped")
    for shipment_id in skipped[:5]:
        assert (await api.get(f"/v1/shipments/{shipment_id}")).json()["destinations"][gateway]["state"] == "skipped"
    everyone = await api_ids(api)
    for shipment_id in sorted(set(everyone) - set(skipped))[:5]:
        assert (await api.get(f"/v1/shipments/{shipment_id}")).json()["destinations"][gateway]["state"] != "skipped"
    assert 0 < len(skipped) < len(everyone)
