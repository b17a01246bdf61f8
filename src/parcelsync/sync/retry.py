"""The retry policy as a value: given how often a target failed and why, decide what happens next.

`decide()` is pure: it returns `RetryAt` (try again at a time, maybe pausing the whole connection)
or `GiveUp` (park or kill the target with a reason). The worker applies the decision.

- `RateLimited` (429): the connection pauses until `Retry-After` (or the backoff if the provider
  gave none); the attempt does not count against the target, the provider asked us to wait.
- `ConnectionBlocked` (auth, quota, frozen store): the connection pauses for `blocked_pause_s` with
  the reason shown, then probes again; the attempt does not count either (the data is not at fault).
- `Rejected`: parked with the provider's reason until someone fixes the data and replays it.
- Anything else (`Retryable`, unexpected errors): exponential backoff with jitter and a cap;
  after `max_attempts` failures the target is dead.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from parcelsync.domain.status import TargetState
from parcelsync.providers.errors import ConnectionBlocked, ProviderError, RateLimited, Rejected

MIN_RATE_LIMIT_PAUSE_S = 1.0
"""A 429 always pauses at least this long, even with `Retry-After: 0`, so a worker never spins on one."""

Jitter = Callable[[], float]
"""Returns a fraction in [0, 1): where in the upper half of the backoff window the retry lands."""


@dataclass(frozen=True, slots=True)
class RetryAt:
    """Try the target again at `when`; `pause_until` set means the whole connection waits."""

    when: datetime
    reason: str
    counts: bool = True
    pause_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class GiveUp:
    """Stop retrying: `state` is "parked" (fixable rejection) or "dead" (out of attempts)."""

    state: str
    reason: str


Decision = RetryAt | GiveUp


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff (base * 2**attempts, capped) with equal jitter, and a maximum of attempts."""

    base_s: float = 2.0
    cap_s: float = 600.0
    max_attempts: int = 12
    jitter: Jitter = field(default=random.random, compare=False)
    blocked_pause_s: float = 600.0

    def backoff(self, attempts: int) -> float:
        """Seconds to wait after the `attempts`-th consecutive failure (1-based)."""
        growth: int = 2 ** max(0, attempts - 1)
        window = min(self.cap_s, self.base_s * growth)
        return window / 2 + window / 2 * self.jitter()

    def decide(self, attempts: int, error: BaseException, now: datetime) -> Decision:
        """What to do after a failure; `attempts` is how many failures the target had before this one."""
        reason = error.reason if isinstance(error, ProviderError) else f"{type(error).__name__}: {error}"
        if isinstance(error, RateLimited):
            wait = error.retry_after if error.retry_after is not None else self.backoff(attempts + 1)
            wait = max(wait, MIN_RATE_LIMIT_PAUSE_S)
            until = now + timedelta(seconds=wait)
            return RetryAt(until, f"rate limited: {reason}", counts=False, pause_until=until)
        if isinstance(error, ConnectionBlocked):
            until = now + timedelta(seconds=self.blocked_pause_s)
            return RetryAt(until, f"connection blocked: {reason}", counts=False, pause_until=until)
        if isinstance(error, Rejected):
            return GiveUp(TargetState.PARKED, reason)
        failures = attempts + 1
        if failures >= self.max_attempts:
            return GiveUp(TargetState.DEAD, f"gave up after {failures} attempts: {reason}")
        return RetryAt(now + timedelta(seconds=self.backoff(failures)), reason)

