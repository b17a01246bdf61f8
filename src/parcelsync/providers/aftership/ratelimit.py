"""Client-side per-endpoint rate limiting for AfterShip, fed by its `X-RateLimit-*` headers.

Each endpoint has its own documented limit per second; the limiter spaces requests to it (a GCRA
meter with a one-second burst, as the shared SHOPLINE bucket does) and then follows what AfterShip
reports: `X-RateLimit-Limit` replaces the configured rate when it differs, and `Remaining: 0` (or a
429) holds every request to that endpoint until `X-RateLimit-Reset` (Unix seconds). The clocks and
sleep are injectable for tests; no lock is held across an await.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from parcelsync.providers.aftership.schemas import RATE_LIMITS, Endpoint

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class RateLimitHeaders:
    """The three headers of one answer (None when absent or unreadable)."""

    limit: float | None
    remaining: float | None
    reset: float | None

    @classmethod
    def parse(cls, headers: Mapping[str, str]) -> RateLimitHeaders:
        def number(name: str) -> float | None:
            try:
                return float(headers[name])
            except (KeyError, ValueError):
                return None

        return cls(number("x-ratelimit-limit"), number("x-ratelimit-remaining"), number("x-ratelimit-reset"))


class EndpointMeter:
    """Admits requests to one endpoint at `rate` per second, burst `rate`, and honours holds."""

    def __init__(self, rate: float, *, clock: Clock = time.monotonic, wall: Clock = time.time,
                 sleep: Sleep = asyncio.sleep) -> None:
        if rate <= 0:
            raise ValueError("rate must be > 0")
        self._clock, self._wall, self._sleep = clock, wall, sleep
        self._tat = 0.0
        self._hold_until = 0.0
        self.set_rate(rate)

    def set_rate(self, rate: float) -> None:
        self.rate = float(rate)
        self._interval = 1.0 / self.rate
        self._tolerance = max(0.0, (self.rate - 1) * self._interval)

    def reserve(self) -> float:
        now = self._clock()
        tat = max(self._tat, now, self._hold_until)
        self._tat = tat + self._interval
        wait = max(0.0, tat - self._tolerance - now, self._hold_until - now)
        return wait if wait > 1e-9 else 0.0  # float residue of the interval sums is no wait

    def hold(self, seconds: float) -> None:
        """Admit nothing for `seconds` (the endpoint's window is used up)."""
        self._hold_until = max(self._hold_until, self._clock() + max(0.0, seconds))

    def observe(self, headers: RateLimitHeaders) -> None:
        if headers.limit and headers.limit > 0 and headers.limit != self.rate:
            self.set_rate(headers.limit)
        if headers.remaining is not None and headers.remaining <= 0:
            wait = (headers.reset - self._wall()) if headers.reset is not None else 1.0
            self.hold(min(max(wait, 0.0), 60.0))

    async def acquire(self) -> None:
        wait = self.reserve()
        if wait > 0:
            await self._sleep(wait)


@dataclass
class AfterShipLimiter:
    """One meter per endpoint for one API key; share it between clients of the same account."""

    rates: Mapping[Endpoint, float] = field(default_factory=lambda: dict(RATE_LIMITS))
    clock: Clock = time.monotonic
    wall: Clock = time.time
    sleep: Sleep = asyncio.sleep
    _meters: dict[Endpoint, EndpointMeter] = field(default_factory=dict)

    def meter(self, endpoint: Endpoint) -> EndpointMeter:
        found = self._meters.get(endpoint)
        if found is None:
            found = self._meters[endpoint] = EndpointMeter(
                self.rates.get(endpoint, RATE_LIMITS[endpoint]), clock=self.clock, wall=self.wall, sleep=self.sleep)
        return found

    async def acquire(self, endpoint: Endpoint) -> None:
        await self.meter(endpoint).acquire()

    def observe(self, endpoint: Endpoint, headers: Mapping[str, str]) -> None:
        self.meter(endpoint).observe(RateLimitHeaders.parse(headers))

    def hold(self, endpoint: Endpoint, seconds: float) -> None:
        self.meter(endpoint).hold(seconds)


_LIMITERS: dict[str, AfterShipLimiter] = {}


def limiter_for(account_key: str) -> AfterShipLimiter:
    """The process-wide limiter of one account (keyed by a non-secret id of the API key)."""
    found = _LIMITERS.get(account_key)
    if found is None:
        found = _LIMITERS[account_key] = AfterShipLimiter()
    return found
