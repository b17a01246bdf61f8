"""The SHOPLINE sandbox's inbound side: orders.json paging, fulfillments, webhooks.json, signed pushes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from tests.integration.shopline.shopline_helpers import BASE, HANDLE, TOKEN

from parcelsync.providers.shopline.store_api import ShoplineStoreClient, next_page_info
from parcelsync.providers.shopline.webhook import verify
from parcelsync.sandbox.shopline import ShoplineState

pytestmark = pytest.mark.anyio
PREFIX = f"/{HANDLE}/admin/openapi/v20260301"


def _seed(state: ShoplineState, count: int) -> None:
    store = state.stores[HANDLE]
    for n in range(count):
        store.add_fulfillment(f"o{n:03d}", f"f{n:03d}", tracking_info_list=[{"tracking_number": f"LX{n:09d}CN"}])
        store.info(f"o{n:03d}").pay_channel_deal_id = f"pi_{n}"


async def test_orders_are_paged_by_link_header_until_no_next(state: ShoplineState, http: httpx.AsyncClient,
                                                             auth: dict[str, str]) -> None:
    _seed(state, 250)
    seen: list[str] = []
    response = await http.get(f"{PREFIX}/orders.json", params={"limit": 100, "fulfillment_status": "shipped"},
                              headers=auth)
    pages = 1
    while True:
        assert response.status_code == 200 and response.headers.get("traceId")
        seen += [o["id"] for o in response.json()["orders"]]
        cursor = next_page_info(response.headers.get("link"))
        if cursor is None:
            break
        response = await http.get(f"{PREFIX}/orders.json", params={"limit": 100, "page_info": cursor}, headers=auth)
        pages += 1
    assert pages == 3 and len(seen) == len(set(seen)) == 251  # and the fixture's order 1001
    first = (await http.get(f"{PREFIX}/orders.json", params={"ids": "o000"}, headers=auth)).json()["orders"][0]
    assert first["payment_details"][0]["pay_channel_deal_id"] == "pi_0"
    assert first["fulfillments"][0]["tracking_info_list"][0]["tracking_number"] == "LX000000000CN"


@pytest.mark.parametrize(("params", "message"), [
    ({"limit": 101}, "limit must be between 1 and 100"),
    ({"limit": 0}, "limit must be between 1 and 100"),
    ({"fulfillment_status": "sent"}, "fulfillment status value is illegal"),
    ({"updated_at_min": "yesterday"}, "updated_at_min must be an ISO 8601 date-time"),
])
async def test_orders_query_validation(http: httpx.AsyncClient, auth: dict[str, str], params: dict[str, Any],
                                       message: str) -> None:
    response = await http.get(f"{PREFIX}/orders.json", params=params, headers=auth)
    assert response.status_code == 422 and response.json() == {"errors": message}


async def test_orders_default_to_unshipped_and_need_a_token(state: ShoplineState, http: httpx.AsyncClient,
                                                           auth: dict[str, str]) -> None:
    _seed(state, 3)
    assert (await http.get(f"{PREFIX}/orders.json", headers=auth)).json()["orders"] == []
    assert (await http.get(f"{PREFIX}/orders.json")).status_code == 401
    fulfillments = await http.get(f"{PREFIX}/orders/o001/fulfillments.json", headers=auth)
    assert [f["id"] for f in fulfillments.json()["fulfillments"]] == ["f001"]
    assert (await http.get(f"{PREFIX}/orders/nope/fulfillments.json", headers=auth)).status_code == 404


async def test_the_read_api_is_under_the_same_bucket(state: ShoplineState, http: httpx.AsyncClient,
                                                     auth: dict[str, str]) -> None:
    statuses = [(await http.get(f"{PREFIX}/orders.json", headers=auth)).status_code for _ in range(41)]
    assert statuses[:40] == [200] * 40 and statuses[40] == 429


async def test_subscription_api_is_idempotent_per_topic_and_address(http: httpx.AsyncClient,
                                                                    auth: dict[str, str]) -> None:
    body = {"webhook": {"address": "https://hub.example/v1/webhooks/shopline/m", "api_version": "v20240601",
                        "topic": "fulfillments/update"}}
    first = await http.post(f"{PREFIX}/webhooks.json", json=body, headers=auth)
    again = await http.post(f"{PREFIX}/webhooks.json", json=body, headers=auth)
    assert first.json() == again.json() and first.json()["webhook"]["id"] == 1
    listed = await http.get(f"{PREFIX}/webhooks.json", headers=auth)
    assert [w["topic"] for w in listed.json()["webhooks"]] == ["fulfillments/update"]
    old = {"webhook": {**body["webhook"], "api_version": "v20230901"}}
    assert (await http.post(f"{PREFIX}/webhooks.json", json=old, headers=auth)).status_code == 422
    assert (await http.delete(f"{PREFIX}/webhooks/1.json", headers=auth)).status_code == 200


async def test_admin_edits_push_signed_webhooks_with_stable_ids(state: ShoplineState, http: httpx.AsyncClient) -> None:
    received: list[tuple[dict[str, str], bytes]] = []
    receiver = FastAPI()

    @receiver.post("/hook")
    async def hook(request: Request) -> dict[str, bool]:
        received.append((dict(request.headers), await request.body()))
        return {"ok": True}

    state.webhook_client = httpx.AsyncClient(transport=httpx.ASGITransport(app=receiver), base_url="http://r")
    state.stores[HANDLE].app_secret = "s3cret"
    client = ShoplineStoreClient(http, base_url=f"{BASE}/{HANDLE}", access_token=TOKEN)
    for topic in ("fulfillments/create", "fulfillments/update"):
        await client.subscribe("http://r/hook", topic)
    url = f"/_sandbox/stores/{HANDLE}/orders/9/fulfillments/f9"
    created = await http.put(url, json={"tracking_info_list": [{"tracking_number": "LX1"}]})
    edited = await http.put(url, json={"tracking_info_list": [{"tracking_number": "LX2"}]})
    assert (created.status_code, edited.status_code) == (201, 200)
    [first] = created.json()["webhooks"]
    await http.post(f"/_sandbox/webhooks/{first['webhook_id']}/redeliver")
    topics = [h["x-shopline-topic"] for h, _ in received]
    assert topics == ["fulfillments/create", "fulfillments/update", "fulfillments/create"]
    assert received[0][1] == received[2][1]
    ids = [verify(body, headers, "s3cret").webhook_id for headers, body in received]
    assert ids[0] == ids[2] != ids[1]
    await state.webhook_client.aclose()
