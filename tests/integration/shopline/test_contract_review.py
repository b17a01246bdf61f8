"""Contract review: the seeds' curls verbatim against a fresh sandbox, and SHOPLINE's error shape everywhere."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from tests.integration.shopline.shopline_helpers import fixture

from parcelsync.sandbox.server import Sandboxes, SandboxUrls
from parcelsync.sandbox.server import create_app as create_sandboxes
from parcelsync.sandbox.shopline import ShoplineState, create_app
from parcelsync.sandbox.shopline.models import DEMO_ACCESS_TOKEN, DEMO_HANDLES

pytestmark = pytest.mark.anyio

# Both seeds' curls: the API Explorer store, its Bearer token, the literal `order_id`/`fulfillment_id`.
SEED_HEADERS = {
    "Authorization": f"Bearer {DEMO_ACCESS_TOKEN}",
    "Content-Type": "application/json; charset=utf-8",
    "accept": "application/json",
}
V2_PATH = "/admin/openapi/v20260301/fulfillments/order_id/fulfillment_id/update_tracking.json"
V1_PATH = "/admin/openapi/v20250601/orders/order_id/fulfillments/fulfillment_id/update_tracking.json"
SEED_FULFILLMENT_KEYS = set(fixture("v20260301_response.json")["fulfillment"])


def _client(app: Any, host: str = "openapiceshidianpu.myshopline.com") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=f"https://{host}")


async def test_v20260301_seed_curl_verbatim_on_a_fresh_sandbox_by_host() -> None:
    async with _client(create_app()) as http:
        response = await http.post(V2_PATH, headers=SEED_HEADERS, json=fixture("v20260301_request.json"))
    assert response.status_code == 200, response.text
    assert response.headers["traceId"]
    fulfillment = response.json()["fulfillment"]
    assert set(fulfillment) == SEED_FULFILLMENT_KEYS
    assert fulfillment["id"] == "fulfillment_id" and fulfillment["order_id"] == "order_id"
    assert fulfillment["tracking_info_list"] == [
        {"tracking_company": "my-company", "tracking_number": "UG15439033", "tracking_url": "http://www.my-url.com"}
    ]


async def test_v20250601_seed_curl_verbatim_on_a_fresh_sandbox_by_path() -> None:
    async with _client(create_app(), "sandbox") as http:
        response = await http.post(f"/{DEMO_HANDLES[1]}{V1_PATH}", headers=SEED_HEADERS,
                                   json=fixture("v20250601_request.json"))
    assert response.status_code == 200, response.text
    fulfillment = response.json()["fulfillment"]
    assert "tracking_info_list" not in fulfillment
    assert fulfillment["tracking_number"] == '"1123212"' and fulfillment["tracking_company"] == '"4PX"'


async def test_seed_curl_through_the_combined_server_defaults() -> None:
    urls = SandboxUrls("http://sandbox")
    async with _client(create_sandboxes(Sandboxes()), "sandbox") as http:
        response = await http.post(urls.shopline(DEMO_HANDLES[0]) + V2_PATH, headers=SEED_HEADERS,
                                   json=fixture("v20260301_request.json"))
    assert response.status_code == 200
    assert response.json()["fulfillment"]["tracking_numbers"] == ["UG15439033"]


async def test_demo_stores_come_back_after_reset_and_unknown_ids_stay_404() -> None:
    state = ShoplineState(demo=True)
    async with _client(create_app(state)) as http:
        await http.post("/_sandbox/reset")
        ok = await http.post(V2_PATH, headers=SEED_HEADERS, json=fixture("v20260301_request.json"))
        unknown = await http.post(V2_PATH.replace("order_id", "no_such_order"), headers=SEED_HEADERS,
                                  json=fixture("v20260301_request.json"))
    assert ok.status_code == 200
    assert unknown.status_code == 404 and set(unknown.json()) == {"errors"}
    assert set(ShoplineState().stores) == set()


async def test_second_call_without_the_first_parcel_clears_it() -> None:
    def body(*numbers: str) -> dict[str, Any]:
        return {"fulfillment": {"tracking_info_list": [{"tracking_number": n} for n in numbers]}}

    async with _client(create_app()) as http:
        await http.post(V2_PATH, headers=SEED_HEADERS, json=body("A1", "B2"))
        kept = await http.post(V2_PATH, headers=SEED_HEADERS, json=body("B2", "C3"))
        cleared = await http.post(V2_PATH, headers=SEED_HEADERS, json={"fulfillment": {"tracking_info_list": []}})
    assert [t["tracking_number"] for t in kept.json()["fulfillment"]["tracking_info_list"]] == ["B2", "C3"]
    assert cleared.json()["fulfillment"]["tracking_info_list"] == []
    assert cleared.json()["fulfillment"]["tracking_number"] is None


async def test_ten_entries_pass_eleven_are_422() -> None:
    def body(n: int) -> dict[str, Any]:
        return {"fulfillment": {"tracking_info_list": [{"tracking_number": f"N{i}"} for i in range(n)]}}

    async with _client(create_app()) as http:
        ten = await http.post(V2_PATH, headers=SEED_HEADERS, json=body(10))
        eleven = await http.post(V2_PATH, headers=SEED_HEADERS, json=body(11))
    assert ten.status_code == 200 and len(ten.json()["fulfillment"]["tracking_info_list"]) == 10
    assert eleven.status_code == 422 and set(eleven.json()) == {"errors"}


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/nowhere", 404),
        ("GET", "/docs", 404),
        ("GET", V2_PATH, 405),
        ("PUT", V1_PATH, 405),
        ("GET", "/_sandbox/nowhere", 404),
    ],
)
async def test_unknown_routes_and_methods_answer_errors_with_a_trace_id(method: str, path: str, status: int) -> None:
    async with _client(create_app()) as http:
        response = await http.request(method, path, headers=SEED_HEADERS)
    assert response.status_code == status
    assert set(response.json()) == {"errors"}
    assert response.headers["traceId"]


async def test_admin_validation_errors_never_leak_fastapi_detail() -> None:
    async with _client(create_app()) as http:
        response = await http.post("/_sandbox/stores", json={"handle": ""})
    assert response.status_code == 422
    assert set(response.json()) == {"errors"}


async def test_json_nested_past_the_parser_limit_is_400_not_500() -> None:
    async with _client(create_app()) as http:
        response = await http.post(V2_PATH, headers=SEED_HEADERS, content=b"[" * 100_000 + b"]" * 100_000)
    assert response.status_code == 400 and set(response.json()) == {"errors"}


async def test_a_sandbox_bug_still_answers_errors_with_a_trace_id() -> None:
    def broken_clock() -> float:
        raise RuntimeError("clock stopped")

    transport = httpx.ASGITransport(app=create_app(ShoplineState(clock=broken_clock, demo=True)),
                                    raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="https://openapiceshidianpu.myshopline.com") as http:
        response = await http.post(V2_PATH, headers=SEED_HEADERS, json=fixture("v20260301_request.json"))
    assert response.status_code == 500
    assert set(response.json()) == {"errors"} and response.headers["traceId"]
