"""Meta codes and transport failures surface as the shared error family; the key never leaks."""

from __future__ import annotations

import logging

import httpx
import pytest
from tests.integration.trackingmore.tm_support import BASE, headers, regs

from parcelsync.providers.errors import (
    AuthError,
    NotFound,
    ProviderError,
    QuotaExhausted,
    RateLimited,
    Rejected,
    Retryable,
)
from parcelsync.providers.trackingmore.client import TrackingMoreClient
from parcelsync.providers.trackingmore.mapping import TrackingRegistration
from parcelsync.sandbox.trackingmore import DEFAULT_API_KEY, TrackingMoreState


@pytest.mark.anyio
async def test_bad_key_is_auth_error(http: httpx.AsyncClient) -> None:
    bad = TrackingMoreClient(http, base_url=f"{BASE}/v2", api_key="wrong-key-123456")
    with pytest.raises(AuthError) as caught:
        await bad.get_user_info()
    assert caught.value.code == "4001" and caught.value.status_code == 401
    assert "wrong-key-123456" not in repr(caught.value) + str(caught.value) + repr(bad)


@pytest.mark.anyio
async def test_http_200_quota_error_is_quota_exhausted(
    client: TrackingMoreClient, http: httpx.AsyncClient, state: TrackingMoreState
) -> None:
    await http.put("/_sandbox/faults", json={"meta_error_code": 4021, "meta_error_burst": 1})
    raw = await http.get("/v2/trackings/getuserinfo", headers=headers())
    assert raw.status_code == 200 and raw.json()["meta"]["code"] == 4021

    await http.put("/_sandbox/faults", json={"meta_error_code": 4021, "meta_error_burst": 1})
    with pytest.raises(QuotaExhausted) as caught:
        await client.create_tracking(regs(1)[0])
    assert caught.value.status_code == 200 and caught.value.code == "4021"
    assert (await client.create_tracking(regs(1)[0])).ok


@pytest.mark.anyio
async def test_running_out_of_quota_is_4021(http: httpx.AsyncClient) -> None:
    await http.post("/_sandbox/accounts", json={"api_key": "tiny-quota-key", "email": "t@q.test", "quota": 2})
    tiny = TrackingMoreClient(http, base_url=f"{BASE}/v2", api_key="tiny-quota-key")
    outcomes = await tiny.batch_create(regs(3))
    assert [o.ok for o in outcomes] == [True, True, False]
    assert isinstance(outcomes[2].error, QuotaExhausted)
    with pytest.raises(QuotaExhausted):
        await tiny.batch_create(regs(1, start=50))


@pytest.mark.anyio
async def test_rejections_name_the_field(client: TrackingMoreClient, http: httpx.AsyncClient) -> None:
    with pytest.raises(NotFound):
        await client.get_tracking("yanwen", "UG000000404YP")
    with pytest.raises(Rejected) as carrier:
        await client.create_tracking(TrackingRegistration("UG000000001YP", "pigeon-post"))
    assert carrier.value.field == "carrier_code" and carrier.value.code == "4015"
    with pytest.raises(Rejected) as number:
        await client.create_tracking(TrackingRegistration("no spaces allowed", "ups"))
    assert number.value.field == "tracking_number" and number.value.code == "4014"
    missing = await http.post("/v2/trackings/post", headers=headers(), json={"carrier_code": "ups"})
    assert missing.json()["meta"]["code"] == 4013
    bad_date = await http.post("/v2/trackings/post", headers=headers(), json={
        "tracking_number": "1Z999AA10123456784", "carrier_code": "ups", "tracking_ship_date": "2024-01-01"})
    assert bad_date.json()["meta"]["code"] == 4012


@pytest.mark.anyio
async def test_duplicate_create_is_success_when_registering(
    client: TrackingMoreClient, http: httpx.AsyncClient
) -> None:
    reg = regs(1)[0]
    assert not (await client.create_tracking(reg)).already_exists
    again = await client.create_tracking(reg)
    assert again.ok and again.already_exists
    raw = await http.post("/v2/trackings/post", headers=headers(), json=reg.payload())
    assert raw.json()["meta"]["code"] == 4016


@pytest.mark.anyio
async def test_status_other_than_4_7_8_is_refused(client: TrackingMoreClient, http: httpx.AsyncClient) -> None:
    await client.create_tracking(regs(1)[0])
    with pytest.raises(Rejected) as caught:
        await client.update_tracking("yanwen", "UG000000000YP", status=5)
    assert caught.value.field == "status"
    raw = await http.put("/v2/trackings/yanwen/UG000000000YP", headers=headers(), json={"status": 5})
    assert raw.json()["meta"]["code"] == 4033


@pytest.mark.anyio
async def test_429_uses_retry_after_or_two_minutes(client: TrackingMoreClient, http: httpx.AsyncClient) -> None:
    await http.put("/_sandbox/faults", json={"rate_limit_burst": 1, "retry_after": 5})
    with pytest.raises(RateLimited) as told:
        await client.get_user_info()
    assert told.value.retry_after == 5

    await http.patch("/_sandbox/settings", json={"rate_limits": True})
    await client.list_trackings()
    with pytest.raises(RateLimited) as default:
        await client.list_trackings()
    assert default.value.retry_after == 120.0


@pytest.mark.anyio
async def test_server_errors_and_garbage_are_retryable(client: TrackingMoreClient, http: httpx.AsyncClient) -> None:
    await http.put("/_sandbox/faults", json={"error_rate": 1.0, "error_status": 503})
    with pytest.raises(Retryable):
        await client.get_user_info()
    await http.put("/_sandbox/faults", json={"malformed_rate": 1.0})
    with pytest.raises(Retryable):
        await client.get_user_info()
    await http.put("/_sandbox/faults", json={})
    assert (await client.get_user_info())["email"]


@pytest.mark.anyio
async def test_network_failure_is_retryable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    async with httpx.AsyncClient(transport=httpx.MockTransport(refuse)) as http:
        client = TrackingMoreClient(http, api_key=DEFAULT_API_KEY)
        with pytest.raises(Retryable):
            await client.get_user_info()


@pytest.mark.anyio
async def test_api_key_never_appears_in_errors_logs_or_sandbox_records(
    client: TrackingMoreClient, state: TrackingMoreState, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    errors: list[ProviderError] = []
    for call in (
        client.get_tracking("yanwen", "UG000000404YP"),
        client.create_tracking(TrackingRegistration("UG000000001YP", "pigeon-post")),
    ):
        try:
            await call
        except ProviderError as exc:
            errors.append(exc)
    assert len(errors) == 2
    text = " ".join(repr(e) + str(e) + e.reason for e in errors) + repr(client) + caplog.text
    text += repr([r.to_dict() for r in state.log.items])
    assert DEFAULT_API_KEY not in text
