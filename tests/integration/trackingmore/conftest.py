"""The TrackingMore client against the sandbox, in process (httpx.ASGITransport)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from tests.integration.trackingmore.tm_support import BASE

from parcelsync.providers.trackingmore.client import TrackingMoreClient
from parcelsync.sandbox.trackingmore import DEFAULT_API_KEY, TrackingMoreState, create_app


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def state() -> TrackingMoreState:
    return TrackingMoreState(seed=7, start=1_700_000_000.0)


@pytest.fixture
def app(state: TrackingMoreState) -> FastAPI:
    return create_app(state)


@pytest.fixture
async def http(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
        yield client


@pytest.fixture
def client(http: httpx.AsyncClient) -> TrackingMoreClient:
    return TrackingMoreClient(
        http, base_url=f"{BASE}/v2", api_key=DEFAULT_API_KEY, list_rate_per_s=0, realtime_rate_per_s=0
    )
