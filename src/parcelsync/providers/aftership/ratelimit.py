"""Client-side per-endpoint rate limiting for AfterShip: its one-second windows, counted exactly.

AfterShip counts each endpoint's requests in one-second windows and answers every call with
`X-RateLimit-Limit` (the endpoint's ceiling per second), `X-RateLimit-Remaining` (what is left in the
current window) and `X-RateLimit-Reset` (Unix seconds when it ends); a 429 adds `Retry-After`. The
meter mirrors that window: it never sends more into a window than it allows, counting the requests it
has sent and not yet seen answered (they may land in it), so the budget is spent down to zero and
then it waits for the reset instead of drawing a 429. Before any answer the window is assumed to end
at the next whole second with the documented limit. The wall clock and sleep are injectable for
tests; no lock is held across an await.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from parcelsync.providers.aftership.schemas import RATE_LIMITS, Endpoint

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
EPSILON = 1e-6


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
    """One endpoint's window: `left` requests may still go out before `window_end` (Unix seconds)."""

    def __init__(self, rate: float, *, wall: Clock = time.time, sleep: Sleep = asyncio.sleep) -> None:
        if rate <= 0:
            raise ValueError("rate must be > 0")
        self._wall, self._sleep = wall, sleep
        self.rate = float(rate)
        self.window_end = 0.0
        self.left = 0.0
        self.in_flight = 0
        self._hold_until = 0.0

    def _roll(self, now: float) -> None:
        """Past the window's end: the next one (windows follow each other, one second long)."""
        if now >= self.window_end:
            self.window_end += math.floor(now - self.window_end) + 1 if self.window_end else math.floor(now) + 1
            self.left = self.rate - self.in_flight

    def reserve(self) -> float:
        """Take a place in the current window (0.0), or say how long to wait before trying again."""
        now = self._wall()
        if now < self._hold_until:
            return self._hold_until - now
        self._roll(now)
        if self.left >= 1:
            self.left -= 1
            self.in_flight += 1
            return 0.0
        return max(self.window_end - now, EPSILON)

    def hold(self, seconds: float) -> None:
        """Admit nothing for `seconds` (a 429's Retry-After): this window is used up."""
        self._hold_until = max(self._hold_until, self._wall() + max(0.0, seconds))
        self.left = 0.0

    def answered(self, headers: RateLimitHeaders | None) -> None:
        """A request placed by `reserve` is over: with the answer's headers, or None when none came."""
        self.in_flight = max(0, self.in_flight - 1)
        if headers is not None:
            self.observe(headers)

    def observe(self, headers: RateLimitHeaders) -> None:
        """Follow what AfterShip says of its window; requests still in flight may yet land in it."""
        if headers.limit and headers.limit > 0:
            self.rate = headers.limit
        if headers.remaining is None:
            return
        if headers.reset is None:
            if headers.remaining <= 0:
                self.hold(1.0)
            return
        self._roll(self._wall())
        if headers.reset > self.window_end + EPSILON:  # AfterShip is already in a later window
            self.window_end = headers.reset
            self.left = headers.remaining - self.in_flight
        elif abs(headers.reset - self.window_end) <= EPSILON:
            self.left = min(self.left, headers.remaining - self.in_flight)

    async def acquire(self) -> None:
        while (wait := self.reserve()) > 0:
            await self._sleep(wait)


@dataclass
class AfterShipLimiter:
    """One meter per endpoint for one API key; share it between clients of the same account."""

    rates: Mapping[Endpoint, float] = field(default_factory=lambda: dict(RATE_LIMITS))
    wall: Clock = time.time
    sleep: Sleep = asyncio.sleep
    _meters: dict[Endpoint, EndpointMeter] = field(default_factory=dict)

    def meter(self, endpoint: Endpoint) -> EndpointMeter:
        found = self._meters.get(endpoint)
        if found is None:
            found = self._meters[endpoint] = EndpointMeter(
                self.rates.get(endpoint, RATE_LIMITS[endpoint]), wall=self.wall, sleep=self.sleep)
        return found

    async def acquire(self, endpoint: Endpoint) -> None:
        await self.meter(endpoint).acquire()

    def answered(self, endpoint: Endpoint, headers: Mapping[str, str] | None) -> None:
        self.meter(endpoint).answered(RateLimitHeaders.parse(headers) if headers is not None else None)

    def hold(self, endpoint: Endpoint, seconds: float) -> None:
        self.meter(endpoint).hold(seconds)


_LIMITERS: dict[str, AfterShipLimiter] = {}


def limiter_for(account_key: str) -> AfterShipLimiter:
    """The process-wide limiter of one account (keyed by a non-secret id of the API key)."""
    found = _LIMITERS.get(account_key)
    if found is None:
        found = _LIMITERS[account_key] = AfterShipLimiter()
    return found
