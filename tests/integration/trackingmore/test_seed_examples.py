"""Every request/response example of the seed round-trips against the sandbox."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from tests.integration.trackingmore.tm_support import headers

from parcelsync.domain.status import DeliveryStatus
from parcelsync.providers.trackingmore.client import TrackingMoreClient
from parcelsync.providers.trackingmore.mapping import TrackingRegistration

FIXTURES = Path(__file__).parents[2] / "fixtures" / "trackingmore"
SEED_REQUEST = json.loads((FIXTURES / "seed_put_request.json").read_text())
SEED_RESPONSE = json.loads((FIXTURES / "seed_put_response.json").read_text())
VOLATILE = {"id", "created_at", "updated_at"}


@pytest.mark.anyio
async def test_seed_put_example_round_trips_raw(http: httpx.AsyncClient) -> None:
    created = await http.post("/v2/trackings/post", headers=headers(),
                              json={"tracking_number": "402934299065", "carrier_code": "sto"})
    assert created.json()["meta"]["code"] == 201

    response = await http.put("/v2/trackings/sto/402934299065", headers=headers(), json=SEED_REQUEST)

    assert response.status_code == 200
    body = response.json()
    assert body["meta"] == SEED_RESPONSE["meta"]
    assert set(body["data"]) == set(SEED_RESPONSE["data"])
    expected = {k: v for k, v in SEED_RESPONSE["data"].items() if k not in VOLATILE}
    assert {k: v for k, v in body["data"].items() if k not in VOLATILE} == expected
    assert len(body["data"]["id"]) == 32


@pytest.mark.anyio
async def test_seed_put_example_through_the_client(client: TrackingMoreClient) -> None:
    await client.create_tracking(TrackingRegistration("402934299065", "sto"))
    data = await client.update_tracking("sto", "402934299065", **SEED_REQUEST)
    assert data["status"] == "7" and data["archived"] == "true" and data["title"] == "new title"

    update = await client.get_tracking("sto", "402934299065")
    assert update.status is DeliveryStatus.EXCEPTION
    assert update.raw["title"] == "new title" and update.raw["logistics_channel"] == "4PX挂号小包"

    await client.update_tracking("sto", "402934299065", status=8)
    assert (await client.get_tracking("sto", "402934299065")).status is DeliveryStatus.PENDING
