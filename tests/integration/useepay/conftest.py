from __future__ import annotations

from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from tests.integration.useepay.useepay_support import API_KEY, APP_ID, BASE_URL, INTENTS, MERCHANT_NO

from parcelsync.providers.useepay import UseePayClient
from parcelsync.sandbox.useepay import UseePayState, create_app


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def state() -> UseePayState:
    return UseePayState({MERCHANT_NO: (APP_ID, API_KEY)}, payment_intents={MERCHANT_NO: INTENTS})


@pytest.fixture
async def http(state: UseePayState) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(state))
    async with httpx.AsyncClient(transport=transport, base_url=BASE_URL, timeout=0.5) as client:
        yield client


@pytest.fixture
def make_client(http: httpx.AsyncClient) -> Callable[..., UseePayClient]:
    def make(**overrides: str) -> UseePayClient:
        kw = {"base_url": BASE_URL, "merchant_no": MERCHANT_NO, "app_id": APP_ID, "api_key": API_KEY, **overrides}
        return UseePayClient(http, **kw)

    return make


@pytest.fixture
def client(make_client: Callable[..., UseePayClient]) -> UseePayClient:
    return make_client()
