"""The AfterShip client against the sandbox's one-second windows (rate limits on), on one fake clock shared
by the sandbox and the client's limiter: it spends each window down to zero and waits for the reset, so
it never draws a 429, also when another caller on the same account uses part of the window."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator

import httpx
import pytest
from tests.integration.aftership.conftest import API_KEY, BASE_URL, SECRET

from parcelsync.ingest.demo import s10_number
from parcelsync.providers.aftership.client import AfterShipClient
from parcelsync.providers.aftership.ratelimit import AfterShipLimiter
from parcelsync.providers.aftership.schemas import RATE_LIMITS, Endpoint
from parcelsync.providers.errors import RateLimited
from parcelsync.sandbox.aftership import AfterShipState, create_app

pytestmark = pytest.mark.anyio


class FakeClock:
    """Wall time that moves only when someone sleeps: by the wait asked, from the moment it is asked."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.25
        self.sent: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def state(clock: FakeClock) -> AfterShipState:
    state = AfterShipState(wall_clock=clock)
    state.add_account(API_KEY, None, SECRET)
    return state


@pytest.fixture
async def http(state: AfterShipState, clock: FakeClock) -> AsyncIterator[httpx.AsyncClient]:
    async def stamp(request: httpx.Request) -> None:
        clock.sent.append(clock.now)

    app = create_app(state)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL,
                                 event_hooks={"request": [stamp]}) as client:
        yield client


def client_of(http: httpx.AsyncClient, clock: FakeClock) -> AfterShipClient:
    return AfterShipClient(http, api_key=API_KEY, base_url=BASE_URL,
                           limiter=AfterShipLimiter(wall=clock, sleep=clock.sleep))


def statuses(state: AfterShipState) -> Counter[int]:
    return Counter(r.status for r in state.log.items)


async def test_concurrent_creates_fill_each_window_and_never_draw_a_429(
    http: httpx.AsyncClient, state: AfterShipState, clock: FakeClock
) -> None:
    client = client_of(http, clock)
    numbers = [s10_number(n) for n in range(1, 71)]
    await asyncio.gather(*(client.create_tracking({"tracking_number": n, "slug": "china-post"}) for n in numbers))
    assert statuses(state)[429] == 0 and len(state.accounts[API_KEY].trackings) == 70
    per_window = Counter(int(t) for t in clock.sent)
    assert max(per_window.values()) == RATE_LIMITS[Endpoint.CREATE]  # each window spent down to zero
    assert len(per_window) == 4  # 70 creates at 20 a window: 20 + 20 + 20 + 10


async def test_what_another_caller_used_is_read_from_the_headers(
    http: httpx.AsyncClient, state: AfterShipState, clock: FakeClock
) -> None:
    client = client_of(http, clock)
    created = await client.create_tracking({"tracking_number": s10_number(1), "slug": "china-post"})
    for _ in range(3):  # another process on the same account: 3 of this second's 5 GETs
        await http.get(f"/trackings/{created.id}", headers={"as-api-key": API_KEY})
    await asyncio.gather(*(client.get_tracking(created.id) for _ in range(12)))
    assert statuses(state)[429] == 0
    gets = Counter(int(t) for t, r in zip(clock.sent, state.log.items, strict=True) if r.method == "GET")
    assert max(gets.values()) <= RATE_LIMITS[Endpoint.GET]


async def test_a_429_is_honoured_for_its_retry_after(
    http: httpx.AsyncClient, state: AfterShipState, clock: FakeClock
) -> None:
    client = client_of(http, clock)
    created = await client.create_tracking({"tracking_number": s10_number(1), "slug": "china-post"})
    for _ in range(5):
        await http.get(f"/trackings/{created.id}", headers={"as-api-key": API_KEY})
    before = clock.now
    meter = client.limiter.meter(Endpoint.GET)
    meter.left = 5  # a client that trusted a stale budget draws the 429 ...
    with pytest.raises(RateLimited):
        await client.get_tracking(created.id)
    assert meter.reserve() == pytest.approx(1.0)  # ... then holds for Retry-After: 1
    await client.get_tracking(created.id)
    assert clock.now >= before + 1 and statuses(state)[429] == 1
