"""Lookup rate limits are held in the database: they hold across two app instances on one database."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from tests.integration.tracking_page.conftest import MERCHANT, site_settings

from parcelsync.api.app import create_app
from parcelsync.db.engine import unit_of_work
from parcelsync.db.queries.merchants import create_merchant
from parcelsync.tracking_page.sample import EMAIL, ORDER, seed_sample

pytestmark = pytest.mark.anyio
PER_ADDRESS = 4
PER_MERCHANT = 7


def _client(app, address: str) -> httpx.AsyncClient:  # type: ignore[no-untyped-def]
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 5000)), base_url="http://t")


@pytest.fixture
async def two_apps(database_url: str) -> AsyncIterator[tuple[object, object]]:
    settings = site_settings(
        database_url,
        tracking_miss_floor_ms=0,
        tracking_lookups_per_address=PER_ADDRESS,
        tracking_lookups_per_merchant=PER_MERCHANT,
        tracking_lookup_window_s=3600,
    )
    first, second = create_app(settings), create_app(settings)
    async with unit_of_work(first.state.runtime.sessions) as session:
        await create_merchant(session, "Northwind", MERCHANT)
        await seed_sample(session, MERCHANT)
    try:
        yield first, second
    finally:
        await first.state.runtime.engine.dispose()
        await second.state.runtime.engine.dispose()


async def _lookup(client: httpx.AsyncClient, *, json: bool, email: str = "wrong@example.com") -> httpx.Response:
    if json:
        return await client.post(f"/track/{MERCHANT}/api/lookup", json={"order_number": ORDER, "email": email})
    return await client.post(f"/track/{MERCHANT}", data={"order_number": ORDER, "email": email})


async def test_the_address_limit_holds_across_two_instances(two_apps) -> None:  # type: ignore[no-untyped-def]
    first, second = two_apps
    async with _client(first, "198.51.100.1") as a, _client(second, "198.51.100.1") as b:
        statuses = [(await _lookup(c, json=n % 3 == 0)).status_code for n, c in enumerate([a, b, a, b])]
        assert statuses == [404, 404, 404, 404]
        refused = await _lookup(b, json=False, email=EMAIL)  # even the right e-mail: the address is over its limit
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) >= 1
        assert "Too many lookups" in refused.text
        assert (await _lookup(a, json=True, email=EMAIL)).status_code == 429
    async with _client(second, "198.51.100.2") as other:  # another address still gets through
        assert (await _lookup(other, json=True, email=EMAIL)).status_code == 200


async def test_the_merchant_limit_holds_across_addresses_and_instances(two_apps) -> None:  # type: ignore[no-untyped-def]
    first, second = two_apps
    statuses = []
    for n in range(PER_MERCHANT + 2):
        async with _client(first if n % 2 else second, f"198.51.100.{10 + n}") as client:
            statuses.append((await _lookup(client, json=bool(n % 2))).status_code)
    assert statuses[:PER_MERCHANT] == [404] * PER_MERCHANT
    assert statuses[PER_MERCHANT:] == [429, 429]
