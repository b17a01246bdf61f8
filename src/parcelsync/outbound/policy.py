"""The delivery retry policy as a value: given one answer (or failure) of a receiver, decide what happens next.

- 2xx: delivered.
- 410 Gone: the receiver asks to stop; the endpoint is disabled (its deliveries wait, none is dropped).
- Anything else (other statuses, timeouts, refused connections): retried with exponential backoff and
  equal jitter, capped, for `window_s` (26 hours by default) from when the delivery was queued; then dead,
  to be replayed by hand.
- An endpoint whose deliveries have failed without a single success for `disable_after_s` (3 days) is
  disabled, with an event and an e-mail.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class Delivered:
    """The receiver took it."""


@dataclass(frozen=True, slots=True)
class RetryAt:
    """Try again at `when`."""

    when: datetime
    reason: str


@dataclass(frozen=True, slots=True)
class Dead:
    """Out of time: the delivery stops until someone replays it."""

    reason: str


@dataclass(frozen=True, slots=True)
class DisableEndpoint:
    """Stop sending to this endpoint at all (410, or failing for days); the delivery stays pending."""

    reason: str


Decision = Delivered | RetryAt | Dead | DisableEndpoint


def describe(status: int | None, error: str | None) -> str:
    return f"HTTP {status}" if status is not None else (error or "no answer")


@dataclass(frozen=True)
class DeliveryPolicy:
    """Backoff base * 2**(attempt-1), capped at `cap_s`, equal jitter; give up `window_s` after queueing."""

    base_s: float = 5.0
    cap_s: float = 7200.0
    window_s: float = 26 * 3600.0
    disable_after_s: float = 3 * 86400.0
    jitter: Callable[[], float] = field(default=random.random, compare=False)

    def backoff(self, failures: int) -> float:
        growth: int = 2 ** max(0, failures - 1)
        window = min(self.cap_s, self.base_s * growth)
        return window / 2 + window / 2 * self.jitter()

    def decide(
        self,
        *,
        attempts: int,
        status: int | None,
        error: str | None,
        queued_at: datetime,
        failing_since: datetime | None,
        now: datetime,
    ) -> Decision:
        """`attempts` failures so far (before this one); `failing_since` the endpoint's first unanswered failure."""
        if status is not None and 200 <= status < 300:
            return Delivered()
        reason = describe(status, error)
        if status == 410:
            return DisableEndpoint("the receiver answered 410 Gone")
        if failing_since is not None and (now - failing_since).total_seconds() >= self.disable_after_s:
            days = self.disable_after_s / 86400
            return DisableEndpoint(f"every delivery failed for {days:g} days (last: {reason})")
        if (now - queued_at).total_seconds() >= self.window_s:
            return Dead(f"gave up after {attempts + 1} attempts over {self.window_s / 3600:g} hours: {reason}")
        return RetryAt(now + timedelta(seconds=self.backoff(attempts + 1)), reason)
