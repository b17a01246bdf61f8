"""Each sandbox fault class reaches the client as the right exception, and never with the API key."""

from __future__ import annotations

import logging
from collections.abc import Callable

import httpx
import pytest
from tests.integration.useepay.useepay_support import API_KEY, INTENTS, tracker

from parcelsync.providers.errors import AuthError, NotFound, ProviderError, RateLimited, Retryable
from parcelsync.providers.useepay import UseePayClient
from parcelsync.sandbox.faults import FaultConfig
from parcelsync.sandbox.useepay import UseePayState

pytestmark = pytest.mark.anyio


def assert_secret_free(exc: ProviderError, caplog: pytest.LogCaptureFixture) -> None:
    assert API_KEY not in str(exc) and API_KEY not in repr(exc) and API_KEY not in exc.reason
    assert API_KEY not in caplog.text


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_server_errors_are_retryable(
    status: int, client: UseePayClient, state: UseePayState, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    state.faults.configure(FaultConfig(error_rate=1.0, error_status=status))
    with pytest.raises(Retryable) as info:
        await client.upload_batch([tracker(INTENTS[0])])
    assert type(info.value) is Retryable and info.value.status_code == status
    assert info.value.code == "service_unavailable"
    assert_secret_free(info.value, caplog)
    assert state.all_trackers() == []


async def test_429_is_rate_limited_with_retry_after(
    client: UseePayClient, state: UseePayState, caplog: pytest.LogCaptureFixture
) -> None:
    state.faults.configure(FaultConfig(rate_limit_burst=2, retry_after=2.5))
    for _ in range(2):
        with pytest.raises(RateLimited) as info:
            await client.upload_batch([tracker(INTENTS[0])])
        assert info.value.retry_after == 2.5 and info.value.status_code == 429
        assert_secret_free(info.value, caplog)
    result = await client.upload_batch([tracker(INTENTS[0])])
    assert result.outcomes[0].accepted


async def test_timeout_is_retryable(
    client: UseePayClient, state: UseePayState, caplog: pytest.LogCaptureFixture
) -> None:
    state.faults.configure(FaultConfig(timeout_rate=1.0, timeout_seconds=30))
    with pytest.raises(Retryable) as info:
        await client.upload_batch([tracker(INTENTS[0])])
    assert type(info.value) is Retryable and "timeout" in info.value.message
    assert_secret_free(info.value, caplog)


async def test_malformed_json_is_retryable(
    client: UseePayClient, state: UseePayState, caplog: pytest.LogCaptureFixture
) -> None:
    state.faults.configure(FaultConfig(malformed_rate=1.0))
    with pytest.raises(Retryable) as info:
        await client.upload_batch([tracker(INTENTS[0])])
    assert type(info.value) is Retryable and info.value.status_code == 200
    assert_secret_free(info.value, caplog)
    assert state.faults.injected == {"malformed": 1}


@pytest.mark.parametrize(
    ("overrides", "source"),
    [
        ({"api_key": "UseePay_SK_wrong_0000000000"}, "x-api-key"),
        ({"app_id": "not-approved.example"}, "x-app-id"),
        ({"merchant_no": "500000000009999"}, "x-merchant-no"),
    ],
)
async def test_wrong_credentials_are_auth_errors(
    overrides: dict[str, str],
    source: str,
    make_client: Callable[..., UseePayClient],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(AuthError) as info:
        await make_client(**overrides).upload_batch([tracker(INTENTS[0])])
    assert info.value.status_code == 401 and info.value.field == source
    assert_secret_free(info.value, caplog)
    assert overrides.get("api_key", API_KEY) not in str(info.value)


async def test_fault_settings_through_the_admin_endpoint(client: UseePayClient, http: httpx.AsyncClient) -> None:
    put = await http.put("/_sandbox/faults", json={"error_rate": 1.0, "error_status": 500})
    assert put.status_code == 200 and put.json()["error_rate"] == 1.0
    with pytest.raises(Retryable):
        await client.retrieve_tracker(INTENTS[0])
    assert (await http.put("/_sandbox/faults", json={"error_rate": 2})).status_code == 400
    assert (await http.put("/_sandbox/faults", json={"bogus": 1})).status_code == 400
    assert (await http.put("/_sandbox/faults", json={"latency_ms": "slow"})).status_code == 400
    assert (await http.post("/_sandbox/reset")).status_code == 200
    with pytest.raises(NotFound):
        await client.retrieve_tracker(INTENTS[0])
