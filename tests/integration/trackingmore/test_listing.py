from __future__ import annotations

import httpx
import pytest
from tests.integration.trackingmore.tm_support import headers, regs

from parcelsync.providers.trackingmore.client import TrackingMoreClient
from parcelsync.providers.trackingmore.mapping import TrackingRegistration
from parcelsync.sandbox.trackingmore import TrackingMoreState


@pytest.mark.anyio
async def test_paging_returns_every_item_exactly_once(client: TrackingMoreClient, state: TrackingMoreState) -> None:
    await client.batch_create(regs(97))
    seen = [u.tracking_number async for u in client.iter_trackings(limit=10)]
    assert sorted(seen) == sorted(r.tracking_number for r in regs(97))
    assert len(seen) == len(set(seen)) == 97
    assert len(state.log.matching("GET", "/v2/trackings/get")) == 10


@pytest.mark.anyio
async def test_filters_numbers_orders_status_and_dates(client: TrackingMoreClient, state: TrackingMoreState) -> None:
    await client.batch_create(regs(5))
    await client.create_tracking(TrackingRegistration("UG000000777YP", "yanwen", order_id="A-1"))
    state.advance(7 * 3600)  # the first scan comes 1-6 h after registration
    await client.create_tracking(TrackingRegistration("UG000000778YP", "yanwen"))

    by_number = await client.list_trackings(numbers=["UG000000001YP", "UG000000003YP"])
    assert {u.tracking_number for u in by_number.items} == {"UG000000001YP", "UG000000003YP"}
    by_order = await client.list_trackings(orders=["A-1"])
    assert [u.tracking_number for u in by_order.items] == ["UG000000777YP"]
    recent = await client.list_trackings(created_at_min=state.now)
    assert [u.tracking_number for u in recent.items] == ["UG000000778YP"]
    pending = await client.list_trackings(status="pending")
    assert pending.total == 1


@pytest.mark.anyio
async def test_limit_over_2000_is_4012(http: httpx.AsyncClient, client: TrackingMoreClient) -> None:
    response = await http.get("/v2/trackings/get", headers=headers(), params={"limit": 2001})
    assert response.json()["meta"]["code"] == 4012
    with pytest.raises(ValueError):
        await client.list_trackings(limit=2001)
