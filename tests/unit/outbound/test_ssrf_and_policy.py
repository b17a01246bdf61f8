"""Endpoint URL checks (SSRF) and the delivery retry policy, as pure functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from parcelsync.outbound.policy import Dead, Delivered, DeliveryPolicy, DisableEndpoint, RetryAt
from parcelsync.outbound.signing import new_secret, signed_headers
from parcelsync.outbound.ssrf import UnsafeUrl, check_resolved, check_url

NOW = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/hook",
        "file:///etc/passwd",
        "http://127.0.0.1/hook",
        "http://localhost:8000/hook",
        "http://[::1]/hook",
        "http://10.0.0.5/hook",
        "http://192.168.1.1/hook",
        "http://172.16.0.1/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[fe80::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "http://user:pw@example.com/hook",
        "http:///nohost",
    ],
)
def test_internal_or_odd_urls_are_refused(url: str) -> None:
    with pytest.raises(UnsafeUrl):
        check_url(url, allow_private=False)


def test_public_urls_pass_and_the_admin_setting_allows_private_ones() -> None:
    assert check_url("https://hooks.example.com/parcelsync", allow_private=False)
    assert check_url("http://127.0.0.1:9000/hook", allow_private=True)
    with pytest.raises(UnsafeUrl):
        check_url("gopher://127.0.0.1/", allow_private=True)


@pytest.mark.anyio
async def test_a_name_resolving_to_loopback_is_refused_at_delivery_time() -> None:
    with pytest.raises(UnsafeUrl):
        await check_resolved("http://localhost.:8000/hook", allow_private=False)


def decide(policy: DeliveryPolicy, **kw: object) -> object:
    base: dict[str, object] = {"attempts": 0, "status": 500, "error": None, "queued_at": NOW, "failing_since": NOW}
    return policy.decide(**{**base, **kw, "now": kw.get("now", NOW)})  # type: ignore[arg-type]


def test_policy_decisions() -> None:
    policy = DeliveryPolicy(jitter=lambda: 1.0)
    assert isinstance(decide(policy, status=204), Delivered)
    assert isinstance(decide(policy, status=410), DisableEndpoint)
    retry = decide(policy, attempts=2)
    assert isinstance(retry, RetryAt) and retry.when == NOW + timedelta(seconds=20)
    assert isinstance(decide(policy, attempts=30, now=NOW + timedelta(hours=26)), Dead)
    late = decide(policy, failing_since=NOW - timedelta(days=3), queued_at=NOW)
    assert isinstance(late, DisableEndpoint) and "3 days" in late.reason


def test_retries_span_at_least_a_day_before_dead() -> None:
    policy = DeliveryPolicy(jitter=lambda: 0.0)  # the shortest waits
    now, attempts = NOW, 0
    while True:
        decision = decide(policy, attempts=attempts, now=now, failing_since=now)
        if not isinstance(decision, RetryAt):
            break
        now, attempts = decision.when, attempts + 1
    assert isinstance(decision, Dead) and now - NOW >= timedelta(hours=24)
    assert attempts < 40


def test_signed_headers_carry_one_signature_per_secret() -> None:
    headers = signed_headers([new_secret(), new_secret()], "evt_1", NOW, "{}")
    assert headers["webhook-id"] == "evt_1" and headers["webhook-timestamp"] == str(int(NOW.timestamp()))
    assert [s.split(",")[0] for s in headers["webhook-signature"].split(" ")] == ["v1", "v1"]
