from __future__ import annotations

import pytest

from parcelsync.providers.errors import (
    AuthError,
    NotFound,
    ProviderError,
    QuotaExhausted,
    RateLimited,
    Rejected,
    Retryable,
)
from parcelsync.providers.trackingmore.meta import error_for_meta


@pytest.mark.parametrize(
    ("code", "kind", "field"),
    [
        (401, AuthError, None), (4001, AuthError, None), (4002, AuthError, None), (4018, AuthError, None),
        (4012, Rejected, None), (4013, Rejected, "tracking_number"), (4014, Rejected, "tracking_number"),
        (4015, Rejected, "carrier_code"), (4016, Rejected, "tracking_number"), (4033, Rejected, "status"),
        (4020, Rejected, None), (4017, NotFound, None), (4031, NotFound, None),
        (4019, QuotaExhausted, None), (4021, QuotaExhausted, None),
        (500, Retryable, None), (503, Retryable, None),
    ],
)
def test_meta_codes_map_onto_the_shared_family(code: int, kind: type[ProviderError], field: str | None) -> None:
    error = error_for_meta(code, "msg", http_status=200)
    assert type(error) is kind
    assert error.field == field
    assert error.code == str(code)
    assert error.provider == "trackingmore"


def test_429_waits_two_minutes_unless_told_otherwise() -> None:
    default = error_for_meta(429, "slow down", http_status=429)
    assert isinstance(default, RateLimited) and default.retry_after == 120.0
    told = error_for_meta(429, "slow down", http_status=429, retry_after=7)
    assert isinstance(told, RateLimited) and told.retry_after == 7


def test_http_5xx_is_retryable_whatever_the_meta_says() -> None:
    assert type(error_for_meta(4012, "odd", http_status=502)) is Retryable
