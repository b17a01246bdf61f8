from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from parcelsync.providers.aftership.client import AfterShipClient
from parcelsync.providers.aftership.ratelimit import AfterShipLimiter
from parcelsync.sandbox.aftership import AfterShipState, create_app

BASE_URL = "http://aftership.sandbox"
API_KEY = "asat_test_key_0001"
WEBHOOK_URL = "http://hub.test/v1/webhooks/aftership/m1"
SECRET = "whsec-test-0123456789"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class Receiver:
    """A stand-in for the hub's webhook endpoint: records raw bodies and headers."""

    def __init__(self) -> None:
        self.received: list[tuple[bytes, dict[str, str]]] = []

        async def hook(request: Request) -> Response:
            self.received.append((await request.body(), dict(request.headers)))
            return Response(status_code=200)

        self.app = Starlette(routes=[Route("/v1/webhooks/aftership/{merchant}", hook, methods=["POST"])])


@pytest.fixture
def receiver() -> Receiver:
    return Receiver()


@pytest.fixture
def state() -> AfterShipState:
    state = AfterShipState()
    state.add_account(API_KEY, WEBHOOK_URL, SECRET)
    return state


@pytest.fixture
async def http(state: AfterShipState, receiver: Receiver) -> AsyncIterator[httpx.AsyncClient]:
    hooks = httpx.AsyncClient(transport=httpx.ASGITransport(app=receiver.app), base_url="http://hub.test")
    app = create_app(state, webhook_client=hooks, webhook_backoff_s=0)
    async with hooks, httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL,
                                        timeout=2.0) as client:
        yield client


@pytest.fixture
def client(http: httpx.AsyncClient) -> AfterShipClient:
    return AfterShipClient(http, api_key=API_KEY, base_url=BASE_URL, limiter=AfterShipLimiter())
