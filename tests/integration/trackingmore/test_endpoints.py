"""The remaining v2 endpoints through the client: realtime, carrier change, account, tools, carriers."""

from __future__ import annotations

import httpx
import pytest
from tests.integration.trackingmore.tm_support import regs

from parcelsync.domain.status import DeliveryStatus
from parcelsync.providers.errors import NotFound
from parcelsync.providers.trackingmore.client import TrackingMoreClient
from parcelsync.providers.trackingmore.mapping import TrackingRegistration
from parcelsync.sandbox.trackingmore import DEFAULT_API_KEY, TrackingMoreState, create_app


@pytest.mark.anyio
async def test_realtime_registers_and_returns_the_tracking(
    client: TrackingMoreClient, state: TrackingMoreState
) -> None:
    update = await client.realtime("ups", "1Z999AA10123456784", destination_code="US")
    assert update.tracking_number == "1Z999AA10123456784" and update.status is DeliveryStatus.PENDING
    state.advance(7 * 3600)
    assert (await client.realtime("ups", "1Z999AA10123456784")).status is DeliveryStatus.IN_TRANSIT


@pytest.mark.anyio
async def test_change_carrier_moves_the_tracking(client: TrackingMoreClient) -> None:
    await client.create_tracking(TrackingRegistration("402934299065", "sto"))
    data = await client.change_carrier("sto", "402934299065", "fedex")
    assert data["carrier_code"] == "fedex"
    assert (await client.get_tracking("fedex", "402934299065")).carrier_code == "fedex"
    with pytest.raises(NotFound):
        await client.get_tracking("sto", "402934299065")


@pytest.mark.anyio
async def test_delete_one_and_many_with_per_item_outcomes(client: TrackingMoreClient) -> None:
    await client.batch_create(regs(3))
    await client.delete_tracking("yanwen", "UG000000000YP")
    outcomes = await client.delete_many([("yanwen", "UG000000001YP"), ("yanwen", "UG000000000YP")])
    assert [o.ok for o in outcomes] == [True, False]
    assert isinstance(outcomes[1].error, NotFound)
    assert [u.tracking_number async for u in client.iter_trackings()] == ["UG000000002YP"]


@pytest.mark.anyio
async def test_update_many_and_not_update(client: TrackingMoreClient, state: TrackingMoreState) -> None:
    await client.batch_create(regs(2))
    outcomes = await client.update_many([
        {"tracking_number": "UG000000000YP", "carrier_code": "yanwen", "title": "mug", "status": 4},
        {"tracking_number": "UG000000404YP", "carrier_code": "yanwen", "title": "ghost"},
    ])
    assert [o.ok for o in outcomes] == [True, False]
    assert (await client.get_tracking("yanwen", "UG000000000YP")).status is DeliveryStatus.DELIVERED

    stopped = await client.not_update([("yanwen", "UG000000001YP")])
    assert stopped[0].ok
    state.advance(30 * 86400)
    assert (await client.get_tracking("yanwen", "UG000000001YP")).status is DeliveryStatus.PENDING


@pytest.mark.anyio
async def test_account_and_status_counts(client: TrackingMoreClient, state: TrackingMoreState) -> None:
    before = (await client.get_user_info())["regular_number"]
    await client.batch_create(regs(4))
    info = await client.get_user_info()
    assert info["email"] == "sandbox@parcelsync.test" and info["regular_number"] == before - 4
    state.advance(7 * 3600)
    counts = await client.get_status_number()
    assert counts["transit"] == 4 and counts["total"] == 4


@pytest.mark.anyio
async def test_tools_remote_costtime_aircargo(client: TrackingMoreClient) -> None:
    remote = await client.remote([{"country": "US", "postcode": "99501"}, {"country": "US", "postcode": "10001"}])
    assert [r["remote"] for r in remote] == [True, False]
    costs = await client.costtime([{"carrier_code": "usps", "original": "CN", "destination": "US"}])
    c = costs[0]
    assert c["delivered"] <= c["total"] and sum(c[f"range{i}"] for i in range(1, 6)) == c["delivered"]
    assert costs == await client.costtime([{"carrier_code": "usps", "original": "CN", "destination": "US"}])
    cargo = await client.aircargo(["784-27089350"])
    assert cargo[0]["track_number"] == "784-27089350" and cargo[0]["airline"] == "China Southern Airlines"


@pytest.mark.anyio
async def test_carriers_list_and_detect(client: TrackingMoreClient) -> None:
    codes = {c["code"] for c in await client.list_carriers()}
    assert {"ups", "usps", "4px", "sto", "china-post", "yanwen"} <= codes
    assert [c["code"] for c in await client.detect_carrier("1Z999AA10123456784")] == ["ups"]
    assert "sto" in {c["code"] for c in await client.detect_carrier("402934299065")}
    assert "china-post" in {c["code"] for c in await client.detect_carrier("RR123456785CN")}
    assert await client.detect_carrier("???") == []


@pytest.mark.anyio
async def test_sandbox_works_mounted_under_a_prefix() -> None:
    from fastapi import FastAPI

    state = TrackingMoreState(seed=1)
    parent = FastAPI()
    parent.mount("/trackingmore", create_app(state))
    transport = httpx.ASGITransport(app=parent)
    async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as http:
        client = TrackingMoreClient(http, base_url="http://hub.test/trackingmore/v2", api_key=DEFAULT_API_KEY)
        assert (await client.create_tracking(TrackingRegistration("1Z999AA10123456784", "ups"))).ok
        assert (await http.get("/trackingmore/_sandbox/trackings")).json()[0]["tracking_number"] == "1Z999AA10123456784"
        assert len(state.log.items) == 1
        assert (await http.post("/trackingmore/_sandbox/reset")).status_code == 200
        assert state.accounts[DEFAULT_API_KEY].trackings == {}
