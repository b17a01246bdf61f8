"""Client-side leaky bucket so a healthy sync never meets SHOPLINE's 429.

SHOPLINE allows 4 requests/s per app per store with a bucket of 40. `LeakyBucket` is the
equivalent of `aiolimiter.AsyncLimiter(40, 10)` written as a virtual-scheduling (GCRA) meter:
each `acquire()` reserves the earliest instant the request fits, synchronously, then sleeps
until then. No lock is held across an await, so one bucket can be shared by any number of
tasks and event loops, and the clock and sleep are injectable for tests.

The default bucket is 4 requests smaller than SHOPLINE's (36 at 4/s): requests the client spaced
out can reach SHOPLINE bunched by network jitter, and a margin of m requests absorbs up to m/4 s
of jitter (here 1 s). Steady-state throughput is SHOPLINE's full 4 requests/s.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

SHOPLINE_RATE = 4.0
SHOPLINE_BUCKET = 40
SAFETY_MARGIN = 4
DEFAULT_RATE = SHOPLINE_RATE
DEFAULT_CAPACITY = SHOPLINE_BUCKET - SAFETY_MARGIN

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class LeakyBucket:
    """Admits at most `capacity` requests at once, refilled at `rate` per second."""

    def __init__(
        self,
        rate: float = DEFAULT_RATE,
        capacity: int = DEFAULT_CAPACITY,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if rate <= 0 or capacity < 1:
            raise ValueError("rate must be > 0 and capacity >= 1")
        self.rate = float(rate)
        self.capacity = int(capacity)
        self._interval = 1.0 / self.rate
        self._tolerance = (self.capacity - 1) * self._interval
        self._clock = clock
        self._sleep = sleep
        self._tat = 0.0

    def __repr__(self) -> str:
        return f"LeakyBucket(rate={self.rate:g}/s, capacity={self.capacity})"

    def reserve(self) -> float:
        """Claim the next slot; return how many seconds to wait before using it."""
        now = self._clock()
        tat = max(self._tat, now)
        self._tat = tat + self._interval
        return max(0.0, tat - self._tolerance - now)

    def level(self) -> float:
        """How many requests are in the bucket now (0 = empty, `capacity` = full)."""
        return max(0.0, self._tat - self._clock()) * self.rate

    def pause(self, seconds: float) -> None:
        """Hold every new request for `seconds` (after the provider said 429 / Retry-After)."""
        self._tat = max(self._tat, self._clock() + seconds + self._tolerance)

    async def acquire(self) -> None:
        """Wait until one more request fits in the bucket."""
        wait = self.reserve()
        if wait > 0:
            await self._sleep(wait)


@dataclass
class BucketRegistry:
    """One bucket per store, keyed by base URL, shared by every client talking to that store."""

    rate: float = DEFAULT_RATE
    capacity: int = DEFAULT_CAPACITY
    _buckets: dict[str, LeakyBucket] = field(default_factory=dict)

    def for_store(self, base_url: str) -> LeakyBucket:
        key = base_url.rstrip("/").lower()
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = LeakyBucket(self.rate, self.capacity)
        return bucket

    def clear(self) -> None:
        self._buckets.clear()


BUCKETS = BucketRegistry()


def bucket_for(base_url: str) -> LeakyBucket:
    """The process-wide bucket of the store at `base_url`."""
    return BUCKETS.for_store(base_url)
