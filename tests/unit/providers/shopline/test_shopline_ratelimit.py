"""The client's leaky bucket on an injected clock: 40-deep bursts, then 4 per second."""

from __future__ import annotations

import pytest
from tests.integration.shopline.shopline_helpers import FakeClock as Clock

from parcelsync.providers.shopline.ratelimit import BucketRegistry, LeakyBucket


def test_full_bucket_then_one_every_quarter_second() -> None:
    clock = Clock()
    bucket = LeakyBucket(4, 40, clock=clock)
    assert [bucket.reserve() for _ in range(40)] == [0.0] * 40
    assert [bucket.reserve() for _ in range(3)] == [0.25, 0.5, 0.75]
    assert bucket.level() == pytest.approx(43)


def test_bucket_leaks_while_idle() -> None:
    clock = Clock()
    bucket = LeakyBucket(4, 40, clock=clock)
    for _ in range(40):
        bucket.reserve()
    clock.now += 1.0
    assert [bucket.reserve() for _ in range(5)] == [0.0, 0.0, 0.0, 0.0, 0.25]
    clock.now += 100
    assert bucket.level() == 0
    assert [bucket.reserve() for _ in range(40)] == [0.0] * 40


def test_pause_holds_new_requests() -> None:
    clock = Clock()
    bucket = LeakyBucket(4, 40, clock=clock)
    bucket.pause(3.0)
    assert bucket.reserve() == pytest.approx(3.0)


@pytest.mark.anyio
async def test_acquire_sleeps_the_reserved_wait() -> None:
    clock = Clock()
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.now += seconds

    bucket = LeakyBucket(2, 1, clock=clock, sleep=sleep)
    for _ in range(3):
        await bucket.acquire()
    assert slept == [0.5, 0.5]


def test_registry_shares_one_bucket_per_store() -> None:
    registry = BucketRegistry()
    first = registry.for_store("https://Demo.myshopline.com/")
    assert registry.for_store("https://demo.myshopline.com") is first
    assert registry.for_store("https://other.myshopline.com") is not first
    assert (first.rate, first.capacity) == (4.0, 36)


@pytest.mark.parametrize(("rate", "capacity"), [(0, 40), (4, 0), (-1, 1)])
def test_bad_settings_are_refused(rate: float, capacity: int) -> None:
    with pytest.raises(ValueError):
        LeakyBucket(rate, capacity)
