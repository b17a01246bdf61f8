"""The retry policy is a pure function of (attempts, error, now)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcelsync.providers.errors import (
    AuthError,
    NotFound,
    QuotaExhausted,
    RateLimited,
    Rejected,
    Retryable,
    StoreBlocked,
)
from parcelsync.sync.retry import MIN_RATE_LIMIT_PAUSE_S, GiveUp, RetryAt, RetryPolicy

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def policy(jitter: float = 0.0, **kw: float) -> RetryPolicy:
    return RetryPolicy(jitter=lambda: jitter, **kw)  # type: ignore[arg-type]


def test_backoff_doubles_with_equal_jitter_and_is_capped() -> None:
    low, high = policy(0.0, base_s=2, cap_s=60), policy(0.999999, base_s=2, cap_s=60)
    assert [low.backoff(n) for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert [round(high.backoff(n)) for n in (1, 2, 3, 4)] == [2, 4, 8, 16]
    assert low.backoff(30) == 30 and round(high.backoff(30)) == 60


def test_retryable_error_is_retried_later_and_counts() -> None:
    decision = policy(base_s=2).decide(0, Retryable("503", provider="useepay"), NOW)
    assert decision == RetryAt(NOW + timedelta(seconds=1), "503", counts=True, pause_until=None)


def test_after_max_attempts_the_target_is_dead() -> None:
    p = policy(max_attempts=5)
    assert isinstance(p.decide(3, Retryable("boom"), NOW), RetryAt)
    decision = p.decide(4, Retryable("boom"), NOW)
    assert decision == GiveUp("dead", "gave up after 5 attempts: boom")


@pytest.mark.parametrize("error", [Rejected("bad carrier", field="carrier"), NotFound("no such intent")])
def test_rejections_are_parked_with_the_providers_reason(error: Rejected) -> None:
    decision = policy().decide(0, error, NOW)
    assert isinstance(decision, GiveUp) and decision.state == "parked"
    assert decision.reason == error.reason


def test_rate_limit_honours_retry_after_pauses_the_connection_and_does_not_count() -> None:
    decision = policy().decide(7, RateLimited("slow down", retry_after=120), NOW)
    assert isinstance(decision, RetryAt)
    assert decision.when == decision.pause_until == NOW + timedelta(seconds=120)
    assert not decision.counts
    assert decision.reason.startswith("rate limited")


def test_rate_limit_without_retry_after_falls_back_to_backoff() -> None:
    decision = policy(base_s=4).decide(0, RateLimited("slow down"), NOW)
    assert isinstance(decision, RetryAt) and decision.pause_until == NOW + timedelta(seconds=2)


@pytest.mark.parametrize("error", [AuthError("bad key"), QuotaExhausted("no quota"), StoreBlocked("frozen")])
def test_blocked_connection_pauses_with_the_reason_even_without_backoff(error: Exception) -> None:
    decision = policy(base_s=0, cap_s=0).decide(11, error, NOW)
    assert isinstance(decision, RetryAt)
    assert decision.pause_until == NOW + timedelta(seconds=600) and not decision.counts
    assert str(error) in decision.reason


def test_a_rate_limit_never_kills_a_target_even_past_max_attempts() -> None:
    assert isinstance(policy(max_attempts=3).decide(50, RateLimited("x", retry_after=1), NOW), RetryAt)


def test_unexpected_exceptions_are_retried_with_their_type() -> None:
    decision = policy().decide(0, ValueError("bad ship date"), NOW)
    assert isinstance(decision, RetryAt) and decision.reason == "ValueError: bad ship date"


@given(attempts=st.integers(0, 60), jitter=st.floats(0, 0.999999))
def test_retry_is_never_in_the_past_nor_beyond_the_cap(attempts: int, jitter: float) -> None:
    p = policy(jitter, base_s=2, cap_s=600, max_attempts=1000)
    decision = p.decide(attempts, Retryable("x"), NOW)
    assert isinstance(decision, RetryAt)
    assert NOW < decision.when <= NOW + timedelta(seconds=600)


def test_a_rate_limit_with_retry_after_zero_still_pauses_a_moment() -> None:
    decision = policy().decide(0, RateLimited("slow down", retry_after=0), NOW)
    assert isinstance(decision, RetryAt)
    assert decision.pause_until == NOW + timedelta(seconds=MIN_RATE_LIMIT_PAUSE_S)
