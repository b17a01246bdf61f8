"""The sandbox's validation, store flags, overwrite semantics, leaky bucket and admin API."""

from __future__ import annotations

import json

import httpx
import pytest
from tests.integration.shopline.shopline_helpers import HANDLE, TOKEN, FakeClock, list_body, v1_path, v2_path

from parcelsync.sandbox.shopline import ShoplineState

pytestmark = pytest.mark.anyio


async def _post(http: httpx.AsyncClient, path: str, body: object, headers: dict[str, str]) -> httpx.Response:
    return await http.post(path, content=json.dumps(body), headers=headers)


def _stored(state: ShoplineState, fulfillment_id: str = "f1") -> list[str]:
    return [t.number for t in state.stores[HANDLE].orders["1001"][fulfillment_id].tracking]


@pytest.mark.parametrize(
    ("authorization", "message_part"),
    [(None, "missing or invalid"), ("Bearer wrong-token", "missing or invalid"), (TOKEN, "missing or invalid")],
)
async def test_bad_or_missing_token_is_401(
    http: httpx.AsyncClient, authorization: str | None, message_part: str
) -> None:
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if authorization:
        headers["Authorization"] = authorization
    response = await _post(http, v2_path(), list_body("A1"), headers)
    assert response.status_code == 401
    assert message_part in response.json()["errors"]
    assert TOKEN not in response.text


async def test_expired_token_is_401(http: httpx.AsyncClient, auth: dict[str, str], state: ShoplineState) -> None:
    state.stores[HANDLE].token_expired = True
    response = await _post(http, v2_path(), list_body("A1"), auth)
    assert response.status_code == 401
    assert "expired" in response.json()["errors"]


@pytest.mark.parametrize(("flag", "status"), [("frozen", 402), ("locked", 423)])
async def test_frozen_and_locked_stores(
    http: httpx.AsyncClient, auth: dict[str, str], state: ShoplineState, flag: str, status: int
) -> None:
    patched = await http.patch(f"/_sandbox/stores/{HANDLE}", json={flag: True})
    assert patched.json()[flag] is True
    response = await _post(http, v2_path(), list_body("A1"), auth)
    assert response.status_code == status
    assert isinstance(response.json()["errors"], str)
    assert _stored(state) == []


@pytest.mark.parametrize(
    ("path", "needle"),
    [(v2_path("9999", "f1"), "order 9999"), (v2_path("1001", "nope"), "fulfillment nope"), (v1_path("9999"), "9999")],
)
async def test_unknown_order_or_fulfillment_is_404(
    http: httpx.AsyncClient, auth: dict[str, str], path: str, needle: str
) -> None:
    body = (
        list_body("A1")
        if "/fulfillments/9999" in path or "nope" in path
        else {"fulfillment": {"tracking_info": {"number": "A1"}}}
    )
    response = await _post(http, path, body, auth)
    assert response.status_code == 404
    assert needle in response.json()["errors"]


async def test_wrong_path_shape_for_the_version_is_404(http: httpx.AsyncClient, auth: dict[str, str]) -> None:
    old_shape_new_version = f"/{HANDLE}/admin/openapi/v20260301/orders/1001/fulfillments/f1/update_tracking.json"
    assert (await _post(http, old_shape_new_version, list_body("A1"), auth)).status_code == 404
    assert (await _post(http, v2_path(version="v20250601"), list_body("A1"), auth)).status_code == 404
    assert (await _post(http, v2_path(version="latest"), list_body("A1"), auth)).status_code == 404


async def test_later_versions_use_the_list_path(http: httpx.AsyncClient, auth: dict[str, str]) -> None:
    response = await _post(http, v2_path(version="v20260601"), list_body("A1"), auth)
    assert response.status_code == 200
    assert response.json()["fulfillment"]["tracking_numbers"] == ["A1"]


async def test_more_than_ten_entries_is_422(
    http: httpx.AsyncClient, auth: dict[str, str], state: ShoplineState
) -> None:
    ok = await _post(http, v2_path(), list_body(*[f"N{i}" for i in range(10)]), auth)
    assert ok.status_code == 200
    response = await _post(http, v2_path(), list_body(*[f"M{i}" for i in range(11)]), auth)
    assert response.status_code == 422
    assert "at most 10" in response.json()["errors"]
    assert _stored(state) == [f"N{i}" for i in range(10)]


@pytest.mark.parametrize(
    "entry",
    [{"tracking_company": "4PX"}, {"tracking_number": ""}, {"tracking_number": None}, {"tracking_number": 12}],
)
async def test_missing_tracking_number_is_422(http: httpx.AsyncClient, auth: dict[str, str], entry: dict) -> None:
    response = await _post(http, v2_path(), {"fulfillment": {"tracking_info_list": [entry]}}, auth)
    assert response.status_code == 422
    assert "tracking_info_list[0].tracking_number" in response.json()["errors"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"fulfillment": "x"},
        {"fulfillment": {"notify_customer": "yes", "tracking_info_list": []}},
        {"fulfillment": {"tracking_info_list": ["A1"]}},
        {"fulfillment": {"tracking_info_list": 5}},
        {"fulfillment": {"tracking_info_list": [{"tracking_number": "A", "tracking_url": 3}]}},
    ],
)
async def test_invalid_v20260301_bodies_are_422(http: httpx.AsyncClient, auth: dict[str, str], body: dict) -> None:
    assert (await _post(http, v2_path(), body, auth)).status_code == 422


@pytest.mark.parametrize(
    "body",
    [
        {"fulfillment": {}},
        {"fulfillment": {"tracking_info": {"company": "4PX"}}},
        {"fulfillment": {"tracking_info": "A1"}},
    ],
)
async def test_invalid_v20250601_bodies_are_422(http: httpx.AsyncClient, auth: dict[str, str], body: dict) -> None:
    assert (await _post(http, v1_path(), body, auth)).status_code == 422


@pytest.mark.parametrize("content", [b"{not json", b'{"fulfillment": ', b"\xff\xfe", b"[1, 2]"])
async def test_malformed_json_is_400(http: httpx.AsyncClient, auth: dict[str, str], content: bytes) -> None:
    response = await http.post(v2_path(), content=content, headers=auth)
    assert response.status_code == 400
    assert "errors" in response.json()


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
async def test_non_json_content_type_is_400(http: httpx.AsyncClient, content_type: str | None) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    if content_type:
        headers["Content-Type"] = content_type
    response = await http.post(v2_path(), content=json.dumps(list_body("A1")), headers=headers)
    assert response.status_code == 400
    assert "Content-Type" in response.json()["errors"]


async def test_plain_application_json_is_accepted(http: httpx.AsyncClient) -> None:
    response = await http.post(v2_path(), json=list_body("A1"), headers={"Authorization": f"bearer {TOKEN}"})
    assert response.status_code == 200


async def test_overwrite_semantics(http: httpx.AsyncClient, auth: dict[str, str], state: ShoplineState) -> None:
    await _post(http, v2_path(), list_body("A1"), auth)
    await _post(http, v2_path(), list_body("A1", "B2"), auth)
    assert _stored(state) == ["A1", "B2"]
    await _post(http, v2_path(), list_body("B2"), auth)
    assert _stored(state) == ["B2"]
    cleared = await _post(http, v2_path(), {"fulfillment": {"tracking_info_list": []}}, auth)
    assert cleared.json()["fulfillment"]["tracking_info_list"] == []
    assert cleared.json()["fulfillment"]["tracking_number"] is None
    assert _stored(state) == []
    assert _stored(state, "f2") == []


async def test_absent_list_falls_back_to_deprecated_tracking_info_then_clears(
    http: httpx.AsyncClient, auth: dict[str, str], state: ShoplineState
) -> None:
    await _post(http, v2_path(), {"fulfillment": {"tracking_info": {"company": "UPS", "number": "1Z9"}}}, auth)
    assert _stored(state) == ["1Z9"]
    await _post(http, v2_path(), {"fulfillment": {"notify_customer": False}}, auth)
    assert _stored(state) == []


async def test_v20250601_replaces_the_list_with_its_single_entry(
    http: httpx.AsyncClient, auth: dict[str, str], state: ShoplineState
) -> None:
    await _post(http, v2_path(), list_body("A1", "B2"), auth)
    response = await _post(
        http, v1_path(), {"fulfillment": {"tracking_info": {"company": "4PX", "number": "C3"}}}, auth
    )
    assert response.json()["fulfillment"]["tracking_numbers"] == ["C3"]
    assert _stored(state) == ["C3"]


async def test_leaky_bucket_answers_429_beyond_40_and_leaks_4_per_second(
    http: httpx.AsyncClient, auth: dict[str, str], clock: FakeClock, state: ShoplineState
) -> None:
    statuses = [(await _post(http, v2_path(), list_body("A1"), auth)).status_code for _ in range(41)]
    assert statuses == [200] * 40 + [429]
    last = await _post(http, v2_path(), list_body("A1"), auth)
    assert (last.status_code, last.json()) == (429, {"errors": "Too many request"})
    clock.advance(1.0)
    statuses = [(await _post(http, v2_path(), list_body("A1"), auth)).status_code for _ in range(5)]
    assert statuses == [200] * 4 + [429]


async def test_rate_limit_can_be_switched_off(
    http: httpx.AsyncClient, auth: dict[str, str], state: ShoplineState
) -> None:
    created = await http.post("/_sandbox/stores", json={"handle": HANDLE, "access_token": TOKEN, "rate_limit": False})
    assert created.status_code == 200
    statuses = {(await _post(http, v2_path(), list_body("A1"), auth)).status_code for _ in range(60)}
    assert statuses == {200}
    assert "1001" in state.stores[HANDLE].orders


async def test_auto_create_store_and_admin_api(http: httpx.AsyncClient) -> None:
    token = "another-token-xyz"
    created = await http.post("/_sandbox/stores", json={"handle": "auto", "access_token": token, "auto_create": True})
    assert created.status_code == 201
    assert token not in created.text
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    response = await _post(
        http,
        "/auto/admin/openapi/v20260301/fulfillments/O9/F9/update_tracking.json",
        list_body("Z1", notify=True),
        headers,
    )
    assert response.status_code == 200
    assert response.json()["fulfillment"]["line_items"]
    listed = (await http.get("/_sandbox/stores/auto/fulfillments")).json()["fulfillments"]
    assert listed == [
        {
            "order_id": "O9",
            "fulfillment_id": "F9",
            "notifications": 1,
            "tracking_info_list": [{"tracking_company": "4PX", "tracking_number": "Z1", "tracking_url": None}],
            "updated_at": listed[0]["updated_at"],
        }
    ]


async def test_admin_seeds_orders_with_line_items_and_tracking(http: httpx.AsyncClient, state: ShoplineState) -> None:
    seeded = await http.post(
        f"/_sandbox/stores/{HANDLE}/orders",
        json={
            "order_id": "2002",
            "fulfillments": [
                {
                    "id": "g1",
                    "line_items": [{"title": "Mug", "quantity": 2}],
                    "tracking_info_list": [{"tracking_number": "OLD1"}],
                }
            ],
        },
    )
    assert seeded.status_code == 201
    item = seeded.json()["fulfillments"][0]["line_items"][0]
    assert (item["title"], item["quantity"], item["price_set"]["shop_money"]["currency_code"]) == ("Mug", 2, "USD")
    assert [t.number for t in state.stores[HANDLE].orders["2002"]["g1"].tracking] == ["OLD1"]
    assert (
        await http.post("/_sandbox/stores/ghost/orders", json={"order_id": "1", "fulfillments": [{"id": "x"}]})
    ).status_code == 404
    assert (await http.post("/_sandbox/stores", json={"handle": "x"})).status_code == 422


async def test_requests_log_faults_and_reset(
    http: httpx.AsyncClient, auth: dict[str, str], state: ShoplineState
) -> None:
    await _post(http, v2_path(), list_body("A1"), auth)
    log = (await http.get("/_sandbox/requests")).json()
    assert log["count"] == 1
    assert log["items"][0]["body"] == list_body("A1")
    assert TOKEN not in json.dumps(log)
    assert (await http.put("/_sandbox/faults", json={"error_rate": 2})).status_code == 422
    assert (await http.put("/_sandbox/faults", json={"error_rate": 1, "error_status": 500})).status_code == 200
    failed = await _post(http, v2_path(), list_body("A1"), auth)
    assert (failed.status_code, failed.json()) == (500, {"errors": "service unavailable"})
    assert (await http.post("/_sandbox/reset")).status_code == 200
    assert state.stores == {}
    assert (await http.get("/_sandbox/requests")).json()["count"] == 0
    assert state.faults.config.error_rate == 0
