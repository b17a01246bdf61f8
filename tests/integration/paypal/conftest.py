from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from tests.integration.paypal.paypal_support import (
    BASE_URL,
    CAPTURE_ID,
    CLIENT_ID,
    CLIENT_SECRET,
    ORDER_ID,
    TRANSACTIONS,
)

from parcelsync.providers.paypal.client import PayPalClient
from parcelsync.sandbox.paypal import PayPalState, create_app


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def state() -> PayPalState:
    state = PayPalState(demo=True)
    state.add_app(CLIENT_ID, CLIENT_SECRET, TRANSACTIONS, orders={ORDER_ID: (CAPTURE_ID,)})
    return state


@pytest.fixture
async def http(state: PayPalState) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(state))
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL, timeout=2.0) as client:
        yield client


@pytest.fixture
def client(http: httpx.AsyncClient, state: PayPalState) -> PayPalClient:
    return PayPalClient(http, base_url=BASE_URL, client_id=CLIENT_ID, client_secret=CLIENT_SECRET, clock=state.now)
