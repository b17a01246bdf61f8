"""Junk input never produces a 500: every rejection is a 4xx with the shared error body naming a field."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.anyio
UPS = "1Z5R89390357567127"


def assert_error_shape(response: httpx.Response, *, status: int | None = None) -> dict[str, Any]:
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:500])
    if status is not None:
        assert response.status_code == status, response.text[:500]
    error = response.json()["error"]
    assert isinstance(error["code"], str) and isinstance(error["message"], str)
    assert all(set(f) == {"field", "reason"} for f in error["fields"])
    return error


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (b"{not json", "body"),
        (b"", "body"),
        (b"[]", "body"),
        (b'"a string"', "body"),
        (b"null", "body"),
        (json.dumps({"tracking_number": 123}).encode(), "tracking_number"),
        (json.dumps({"tracking_number": ["a"]}).encode(), "tracking_number"),
        (json.dumps({"tracking_number": UPS, "ship_date": "yesterday"}).encode(), "ship_date"),
        (json.dumps({"tracking_number": UPS, "ship_date": 1.5}).encode(), "ship_date"),
        (json.dumps({"tracking_number": UPS, "status": "lost"}).encode(), "status"),
        (json.dumps({"tracking_number": UPS, "title": "x" * 1_000}).encode(), "title"),
        (json.dumps({"tracking_number": "9" * 100_000}).encode(), "tracking_number"),
        (json.dumps({"tracking_number": UPS, "order_id": {"nested": [1, 2, {"deep": True}]}}).encode(), "order_id"),
        (json.dumps({"tracking_number": UPS, "customer_phone": "call me"}).encode(), "customer_phone"),
        (json.dumps({"tracking_number": UPS, "tracking_url": "https://" + "a" * 3000}).encode(), "tracking_url"),
        (json.dumps({"tracking_number": UPS, "Tracking_Number": UPS}).encode(), "Tracking_Number"),
        (json.dumps({"tracking_number": "\u0000\u202e"}).encode(), "tracking_number"),
        ("{\"tracking_number\": \"\udcff\"}".encode("utf-8", "surrogatepass"), "tracking_number"),
    ],
)
async def test_junk_single_shipment_bodies(merchant: httpx.AsyncClient, content: bytes, field: str) -> None:
    response = await merchant.post("/v1/shipments", content=content, headers={"Content-Type": "application/json"})
    error = assert_error_shape(response, status=422)
    assert field in [f["field"] for f in error["fields"]], error


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/shipments/abc", {}),
        ("/v1/shipments/0", {}),
        ("/v1/shipments/99999999999999999999999999", {}),
        ("/v1/shipments", {"limit": "0"}),
        ("/v1/shipments", {"limit": "100000"}),
        ("/v1/shipments", {"status": "lost"}),
        ("/v1/shipments", {"updated_since": "last tuesday"}),
        ("/v1/shipments", {"cursor": "%%%"}),
        ("/v1/shipments", {"cursor": "eyJzIjoidXBkYXRlZF9hdCIsImlkIjoxLCJ1IjoieCJ9", "sort": "updated_at"}),
        ("/v1/shipments", {"stauts": "delivered"}),
        ("/v1/shipments", {"sort": "random"}),
        ("/v1/shipments", {"destination_country": "USA"}),
    ],
)
async def test_junk_paths_and_query_parameters(merchant: httpx.AsyncClient, path: str, params: dict[str, str]) -> None:
    error = assert_error_shape(await merchant.get(path, params=params), status=422)
    assert error["fields"], error


async def test_unknown_routes_and_methods_use_the_error_shape(merchant: httpx.AsyncClient) -> None:
    assert_error_shape(await merchant.get("/v1/nothing-here"), status=404)
    assert_error_shape(await merchant.put("/v1/shipments"), status=405)


async def test_batch_items_must_be_a_list(merchant: httpx.AsyncClient) -> None:
    error = assert_error_shape(await merchant.post("/v1/shipments/batch", json={"items": {"a": 1}}), status=422)
    assert error["fields"][0]["field"] == "items"
    error = assert_error_shape(await merchant.post("/v1/shipments/batch", json={"itemz": []}), status=422)
    assert {f["field"] for f in error["fields"]} == {"items", "itemz"}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=50),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
shipment_like = st.dictionaries(
    st.sampled_from(["tracking_number", "carrier", "ship_date", "status", "customer_email", "destination_country",
                     "tracking_url", "order_id", "unknown"]),
    json_values | st.text(max_size=40),
    max_size=6,
)  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(json_values, shipment_like))
async def test_arbitrary_json_never_500s(merchant: httpx.AsyncClient, body: Any) -> None:
    single = await merchant.post("/v1/shipments", json=body)
    if single.status_code >= 400:
        assert_error_shape(single)
    else:
        assert single.json()["result"] in {"created", "updated", "unchanged"}
    batch = await merchant.post("/v1/shipments/batch", json={"items": [body, body]})
    if batch.status_code >= 400:
        assert_error_shape(batch)
    else:
        assert len(batch.json()["results"]) == 2
