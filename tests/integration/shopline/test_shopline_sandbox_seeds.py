"""Each seed's request example, sent as-is, gets the documented response shape."""

from __future__ import annotations

import json

import httpx
import pytest
from tests.integration.shopline.shopline_helpers import FIXTURES, fixture, v1_path, v2_path

from parcelsync.providers.shopline.schemas import FulfillmentResponse
from parcelsync.sandbox.shopline import ShoplineState

pytestmark = pytest.mark.anyio

SEED_FULFILLMENT_KEYS = set(fixture("v20260301_response.json")["fulfillment"])
SEED_LINE_ITEM_KEYS = set(fixture("v20260301_response.json")["fulfillment"]["line_items"][0]) - {"taxLines"} | {
    "tax_lines"
}
V20250601_FULFILLMENT_KEYS = {
    "created_at",
    "id",
    "line_items",
    "name",
    "order_id",
    "shipment_status",
    "status",
    "tracking_company",
    "tracking_number",
    "tracking_numbers",
    "tracking_url",
    "tracking_urls",
    "updated_at",
}
V20250601_LINE_ITEM_KEYS = {
    "fulfillable_quantity",
    "grams",
    "id",
    "name",
    "price",
    "price_set",
    "product_id",
    "quantity",
    "requires_shipping",
    "sku",
    "tax_lines",
    "taxable",
    "title",
    "total_discount",
    "total_discount_set",
    "variant_id",
    "variant_title",
    "version",
}


def _raw(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


async def test_v20260301_example_request_as_is(http: httpx.AsyncClient, auth: dict[str, str], state: ShoplineState):
    response = await http.post(v2_path(), content=_raw("v20260301_request.json"), headers=auth)

    assert response.status_code == 200
    assert response.headers["traceId"]
    fulfillment = response.json()["fulfillment"]
    assert set(fulfillment) == SEED_FULFILLMENT_KEYS
    assert set(fulfillment["line_items"][0]) == SEED_LINE_ITEM_KEYS
    assert set(fulfillment["line_items"][0]["tax_lines"][0]) == {"name", "price", "price_set", "rate", "title"}
    assert set(fulfillment["line_items"][0]["price_set"]) == {"presentment_money", "shop_money"}
    assert fulfillment["tracking_info_list"] == [
        {"tracking_company": "my-company", "tracking_number": "UG15439033", "tracking_url": "http://www.my-url.com"}
    ]
    assert fulfillment["tracking_number"] == "UG15439033"
    assert fulfillment["tracking_numbers"] == ["UG15439033"]
    assert fulfillment["tracking_urls"] == ["http://www.my-url.com"]
    assert (fulfillment["order_id"], fulfillment["id"], fulfillment["status"]) == ("1001", "f1", "success")
    assert state.stores["demo-store"].orders["1001"]["f1"].notifications == 1
    FulfillmentResponse.model_validate(response.json())


async def test_v20260301_explorer_body_uses_the_list_and_ignores_tracking_info(
    http: httpx.AsyncClient, auth: dict[str, str]
):
    response = await http.post(v2_path(), content=_raw("v20260301_explorer_request.json"), headers=auth)

    assert response.status_code == 200
    assert response.json()["fulfillment"]["tracking_info_list"] == [
        {"tracking_company": None, "tracking_number": "string", "tracking_url": None}
    ]


async def test_v20250601_example_request_as_is(http: httpx.AsyncClient, auth: dict[str, str]):
    response = await http.post(v1_path(), content=_raw("v20250601_request.json"), headers=auth)

    assert response.status_code == 200
    assert response.headers["traceId"]
    fulfillment = response.json()["fulfillment"]
    assert set(fulfillment) == V20250601_FULFILLMENT_KEYS
    assert set(fulfillment["line_items"][0]) == V20250601_LINE_ITEM_KEYS
    assert set(fulfillment["line_items"][0]["tax_lines"][0]) == {"price", "price_set", "rate", "title"}
    assert fulfillment["tracking_company"] == '"4PX"'
    assert fulfillment["tracking_number"] == '"1123212"'
    assert fulfillment["tracking_numbers"] == ['"1123212"']
    FulfillmentResponse.model_validate(response.json())


async def test_seed_response_example_parses_with_the_client_schema():
    parsed = FulfillmentResponse.model_validate(fixture("v20260301_response.json")).fulfillment

    item = parsed.line_items[0]
    assert item.properties[0].type == "picture"
    assert item.tax_lines[0].price_set is not None
    assert item.tax_lines[0].price_set.shop_money is not None
    assert item.tax_lines[0].price_set.shop_money.amount == "1.00"
    assert parsed.tracking_info_list is not None
    assert parsed.tracking_info_list[0].tracking_number == "****************28407811"
    assert item.grams == 45.0


async def test_host_header_routing_reaches_the_same_store(http: httpx.AsyncClient, auth: dict[str, str]):
    path = "/admin/openapi/v20260301/fulfillments/1001/f2/update_tracking.json"
    body = json.dumps({"fulfillment": {"tracking_info_list": [{"tracking_number": "H1"}]}})

    response = await http.post(path, content=body, headers={**auth, "Host": "demo-store.myshopline.com"})
    assert response.status_code == 200
    assert response.json()["fulfillment"]["tracking_numbers"] == ["H1"]

    other = await http.post(path, content=body, headers={**auth, "Host": "unknown.myshopline.com"})
    assert other.status_code == 404
    assert "errors" in other.json()
