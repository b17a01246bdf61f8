"""Login brute-force throttling: a sliding window of failures per (username, client address)."""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable

DEFAULT_MAX_FAILURES = 5
DEFAULT_WINDOW_S = 15 * 60
MAX_TRACKED = 100_000


class LoginThrottle:
    """Counts failed logins per (username, ip) in a sliding window; blocks after `max_failures`.

    In memory, per process (the dashboard runs in the API process). The table of tracked pairs is
    bounded: the least recently touched pair is forgotten first, so a flood cannot exhaust memory.
    """

    def __init__(
        self,
        *,
        max_failures: int = DEFAULT_MAX_FAILURES,
        window_s: float = DEFAULT_WINDOW_S,
        clock: Callable[[], float] = time.monotonic,
        max_tracked: int = MAX_TRACKED,
    ) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self._clock = clock
        self._max_tracked = max_tracked
        self._failures: OrderedDict[tuple[str, str], deque[float]] = OrderedDict()

    @staticmethod
    def _key(username: str, ip: str) -> tuple[str, str]:
        return (username.strip().lower()[:200], ip)

    def _recent(self, key: tuple[str, str]) -> deque[float] | None:
        times = self._failures.get(key)
        if times is None:
            return None
        horizon = self._clock() - self.window_s
        while times and times[0] <= horizon:
            times.popleft()
        if not times:
            del self._failures[key]
            return None
        return times

    def retry_after(self, username: str, ip: str) -> float | None:
        """Seconds until another attempt is allowed, or None when the pair is not blocked."""
        times = self._recent(self._key(username, ip))
        if times is None or len(times) < self.max_failures:
            return None
        return max(1.0, times[-self.max_failures] + self.window_s - self._clock())

    def record_failure(self, username: str, ip: str) -> None:
        key = self._key(username, ip)
        times = self._recent(key)
        if times is None:
            times = self._failures[key] = deque(maxlen=self.max_failures)
        times.append(self._clock())
        self._failures.move_to_end(key)
        while len(self._failures) > self._max_tracked:
            self._failures.popitem(last=False)

    def reset(self, username: str, ip: str) -> None:
        """Forget the failures of a pair (after a successful login)."""
        self._failures.pop(self._key(username, ip), None)
