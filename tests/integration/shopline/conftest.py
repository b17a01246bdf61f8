"""SHOPLINE sandbox fixtures: an in-process app, an httpx client on it, a seeded store and a client factory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from tests.integration.shopline.shopline_helpers import BASE, HANDLE, JSON_UTF8, TOKEN, FakeClock

from parcelsync.providers.shopline import LeakyBucket, ShoplineClient
from parcelsync.sandbox.shopline import ShoplineState, create_app


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def state(clock: FakeClock) -> ShoplineState:
    state = ShoplineState(clock=clock)
    state.add_store(HANDLE, TOKEN)
    state.add_order(HANDLE, "1001", [{"id": "f1"}, {"id": "f2"}])
    return state


@pytest.fixture
async def http(state: ShoplineState) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(state)), base_url=BASE) as client:
        yield client


@pytest.fixture
def auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN}", **JSON_UTF8}


@pytest.fixture
def make_client(http: httpx.AsyncClient) -> Callable[..., ShoplineClient]:
    """A ShoplineClient on the sandbox with its own (fresh, roomy) bucket unless one is given."""

    def make(**kw: Any) -> ShoplineClient:
        kw.setdefault("base_url", f"{BASE}/{HANDLE}")
        kw.setdefault("access_token", TOKEN)
        kw.setdefault("limiter", LeakyBucket(rate=1000, capacity=1000))
        return ShoplineClient(http, **kw)

    return make
