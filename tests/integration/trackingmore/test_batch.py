from __future__ import annotations

import httpx
import pytest
from tests.integration.trackingmore.tm_support import headers, regs

from parcelsync.providers.trackingmore.client import TrackingMoreClient
from parcelsync.providers.trackingmore.mapping import TrackingRegistration
from parcelsync.sandbox.trackingmore import DEFAULT_API_KEY, TrackingMoreState


@pytest.mark.anyio
async def test_hundred_numbers_take_three_batch_calls(client: TrackingMoreClient, state: TrackingMoreState) -> None:
    outcomes = await client.batch_create(regs(100))

    calls = state.log.matching("POST", "/v2/trackings/batch")
    assert [len(c.body) for c in calls] == [40, 40, 20]
    assert len(outcomes) == 100 and all(o.ok and not o.already_exists for o in outcomes)
    assert [o.tracking_number for o in outcomes] == [r.tracking_number for r in regs(100)]
    assert len(state.accounts[DEFAULT_API_KEY].trackings) == 100


@pytest.mark.anyio
async def test_duplicate_inside_a_batch_is_4016_for_that_item_only(
    client: TrackingMoreClient, http: httpx.AsyncClient
) -> None:
    batch = [*regs(3), TrackingRegistration("UG000000001YP", "yanwen"), *regs(2, start=10)]

    raw = await http.post("/v2/trackings/batch", headers=headers(), json=[r.payload() for r in batch])
    data = raw.json()["data"]
    assert data["submitted"] == 6 and data["added"] == 5
    assert [(e["tracking_number"], e["code"]) for e in data["errors"]] == [("UG000000001YP", 4016)]

    again = await client.create_batch_call([*regs(2, start=20), TrackingRegistration("UG000000001YP", "yanwen")])
    assert [(o.ok, o.already_exists) for o in again.outcomes] == [(True, False), (True, False), (True, True)]
    assert again.status_code == 200


@pytest.mark.anyio
async def test_bad_items_fail_alone(client: TrackingMoreClient) -> None:
    batch = [*regs(2), TrackingRegistration("UG000000099YP", "no-such-carrier"), TrackingRegistration("x!", "ups")]
    outcomes = await client.batch_create(batch)
    assert [o.ok for o in outcomes] == [True, True, False, False]
    assert outcomes[2].error is not None and outcomes[2].error.field == "carrier_code"
    assert outcomes[3].error is not None and outcomes[3].error.code == "4014"


@pytest.mark.anyio
async def test_batch_summary_is_redacted(client: TrackingMoreClient) -> None:
    result = await client.create_batch_call(regs(3))
    text = repr(result.summary)
    assert DEFAULT_API_KEY not in text
    assert result.summary["request"]["headers"]["trackingmore-api-key"] == "***"
    assert len(result.summary["request"]["items"]) == 3
    assert result.summary["response"]["ok"] == 3


@pytest.mark.anyio
async def test_oversize_batch_is_4020(client: TrackingMoreClient, http: httpx.AsyncClient) -> None:
    response = await http.post("/v2/trackings/batch", headers=headers(), json=[r.payload() for r in regs(41)])
    assert response.json()["meta"]["code"] == 4020
    with pytest.raises(ValueError):
        await client.create_batch_call(regs(41))
