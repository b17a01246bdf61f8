"""Login throttling: a sliding window per (username, ip)."""

from __future__ import annotations

from parcelsync.security.throttling import LoginThrottle


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_blocks_after_max_failures_and_only_that_pair() -> None:
    clock = Clock()
    throttle = LoginThrottle(max_failures=5, window_s=900, clock=clock)
    for _ in range(4):
        throttle.record_failure("alice", "10.0.0.1")
        assert throttle.retry_after("alice", "10.0.0.1") is None
    throttle.record_failure("Alice ", "10.0.0.1")
    wait = throttle.retry_after("alice", "10.0.0.1")
    assert wait is not None and 899 <= wait <= 900
    assert throttle.retry_after("alice", "10.0.0.2") is None
    assert throttle.retry_after("bob", "10.0.0.1") is None


def test_window_slides() -> None:
    clock = Clock()
    throttle = LoginThrottle(max_failures=3, window_s=60, clock=clock)
    for step in range(3):
        clock.now = 1000.0 + step * 10
        throttle.record_failure("u", "ip")
    assert throttle.retry_after("u", "ip") is not None
    clock.now = 1000.0 + 60.5  # the first failure left the window
    assert throttle.retry_after("u", "ip") is None
    throttle.record_failure("u", "ip")
    assert throttle.retry_after("u", "ip") is not None


def test_reset_forgets_failures() -> None:
    throttle = LoginThrottle(max_failures=2, window_s=60, clock=Clock())
    throttle.record_failure("u", "ip")
    throttle.record_failure("u", "ip")
    assert throttle.retry_after("u", "ip") is not None
    throttle.reset("u", "ip")
    assert throttle.retry_after("u", "ip") is None


def test_tracked_pairs_are_bounded() -> None:
    throttle = LoginThrottle(max_failures=1, window_s=60, clock=Clock(), max_tracked=10)
    for i in range(50):
        throttle.record_failure(f"user{i}", "ip")
    assert len(throttle._failures) == 10
    assert throttle.retry_after("user49", "ip") is not None
    assert throttle.retry_after("user0", "ip") is None
