"""The UseePay sandbox over raw HTTP, as a black-box caller following the seed would use it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from tests.integration.useepay.useepay_support import API_KEY, APP_ID, INTENTS, MERCHANT_NO, headers

from parcelsync.sandbox.useepay import UseePayState, create_app

pytestmark = pytest.mark.anyio

FIXTURES = Path(__file__).parents[2] / "fixtures" / "useepay"
PATH = "/api/v2/shipping/trackers"


def shipment(number: str = "1Z0001", url: Any = "https://www.ups.com/", carrier: Any = "ups") -> dict[str, Any]:
    return {"carrier": carrier, "tracking_number": number, "tracking_url": url}


def keys(value: Any) -> Any:
    """The shape of a JSON value: dict keys recursively, list items' shapes, scalars' types."""
    if isinstance(value, dict):
        return {k: keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [keys(value[0])] if value else []
    return type(value).__name__


async def test_seed_request_sent_as_is_gets_the_documented_response() -> None:
    seed = json.loads((FIXTURES / "seed_request.json").read_text())
    documented = json.loads((FIXTURES / "seed_response.json").read_text())
    transport = httpx.ASGITransport(app=create_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://openapi1.uat.useepay.com") as http:
        response = await http.request(
            seed["method"], seed["path"], headers=seed["headers"], content=json.dumps(seed["body"]).encode()
        )
    assert response.status_code == 200
    body = response.json()
    assert list(body) == list(documented)
    assert keys(body) == keys(documented)
    assert {k: body[k] for k in ("code", "message", "merchant_no", "app_id", "meta_data")} == {
        k: documented[k] for k in ("code", "message", "merchant_no", "app_id", "meta_data")
    }
    assert body["data"]["rejected"] == []
    assert [t["payment_intent_id"] for t in body["data"]["accepted"]] == [
        t["payment_intent_id"] for t in seed["body"]["trackers"]
    ]
    assert body["data"]["accepted"][0]["shipments"] == seed["body"]["trackers"][0]["shipments"]


async def test_authorization_header_is_optional(http: httpx.AsyncClient) -> None:
    body = {"trackers": [{"payment_intent_id": INTENTS[0], "shipments": [shipment()]}]}
    response = await http.post(PATH, headers=headers(), json=body)
    assert response.status_code == 200 and response.json()["data"]["accepted"][0]["payment_intent_id"] == INTENTS[0]
    assert response.json()["meta_data"] is None


@pytest.mark.parametrize(
    ("change", "source", "code"),
    [
        ({"x-merchant-no": ""}, "x-merchant-no", "field_required"),
        ({"x-app-id": ""}, "x-app-id", "field_required"),
        ({"x-api-key": ""}, "x-api-key", "field_required"),
        ({"x-merchant-no": "500000000000999"}, "x-merchant-no", "invalid_request_error"),
        ({"x-app-id": "evil.example"}, "x-app-id", "invalid_request_error"),
        ({"x-api-key": "UseePay_SK_guess_1234567890"}, "x-api-key", "invalid_request_error"),
    ],
)
async def test_missing_or_wrong_credentials_are_401(
    change: dict[str, str], source: str, code: str, http: httpx.AsyncClient, state: UseePayState
) -> None:
    sent = {k: v for k, v in headers(**change).items() if v}
    body = {"trackers": [{"payment_intent_id": INTENTS[0], "shipments": [shipment()]}]}
    for response in (
        await http.post(PATH, headers=sent, json=body),
        await http.get(f"{PATH}/{INTENTS[0]}", headers=sent),
    ):
        assert response.status_code == 401
        assert response.json() == {"code": code, "source": source, "message": response.json()["message"]}
        assert API_KEY not in response.text and "guess" not in response.text
    assert state.all_trackers() == []


@pytest.mark.parametrize(
    ("content", "source", "code"),
    [
        (b"{not json", "body", "invalid_request_error"),
        (b"[]", "body", "invalid_request_error"),
        (b"{}", "trackers", "field_required"),
        (b'{"trackers": {}}', "trackers", "invalid_argument"),
        (b'{"trackers": []}', "trackers", "invalid_argument"),
        (b'{"trackers": [1]}', "trackers[0]", "invalid_argument"),
        (b'{"meta_data": 5, "trackers": [{}]}', "meta_data", "invalid_argument"),
    ],
)
async def test_malformed_requests_are_400(content: bytes, source: str, code: str, http: httpx.AsyncClient) -> None:
    response = await http.post(PATH, headers={**headers(), "Content-Type": "application/json"}, content=content)
    assert response.status_code == 400
    assert response.json()["code"] == code and response.json()["source"] == source and response.json()["message"]


async def test_more_than_20_trackers_is_400_and_stores_nothing(http: httpx.AsyncClient, state: UseePayState) -> None:
    body = {"trackers": [{"payment_intent_id": i, "shipments": [shipment()]} for i in INTENTS[:21]]}
    response = await http.post(PATH, headers=headers(), json=body)
    assert response.status_code == 400 and response.json()["source"] == "trackers"
    assert state.all_trackers() == []
    body["trackers"] = body["trackers"][:20]
    assert (await http.post(PATH, headers=headers(), json=body)).status_code == 200
    assert len(state.all_trackers()) == 20


async def test_each_bad_tracker_is_rejected_with_a_reason_and_neighbours_accepted(
    http: httpx.AsyncClient, state: UseePayState
) -> None:
    bad: list[tuple[dict[str, Any], str]] = [
        ({"payment_intent_id": INTENTS[1], "shipments": []}, "shipments"),
        ({"payment_intent_id": INTENTS[2]}, "shipments"),
        ({"payment_intent_id": INTENTS[3], "shipments": [shipment("")]}, "shipments[0].tracking_number"),
        ({"payment_intent_id": INTENTS[4], "shipments": [shipment("  ")]}, "shipments[0].tracking_number"),
        ({"payment_intent_id": INTENTS[5], "shipments": [{"tracking_number": "1Z"}]}, "shipments[0].carrier"),
        ({"payment_intent_id": "unknown_pi", "shipments": [shipment()]}, "payment_intent_id"),
        (
            {"payment_intent_id": INTENTS[6], "shipments": [shipment(url="ftp://x.example/")]},
            "shipments[0].tracking_url",
        ),
        (
            {"payment_intent_id": INTENTS[7], "shipments": [shipment(), shipment(url="not a url")]},
            "shipments[1].tracking_url",
        ),
        ({"shipments": [shipment()]}, "payment_intent_id"),
    ]
    good = [{"payment_intent_id": INTENTS[0], "shipments": [shipment()]}]
    trackers = [good[0]] + [t for t, _ in bad] + [{"payment_intent_id": INTENTS[8], "shipments": [shipment(url=None)]}]
    response = await http.post(PATH, headers=headers(), json={"meta_data": {"batch": 3}, "trackers": trackers})
    assert response.status_code == 200
    data = response.json()["data"]
    assert [t["payment_intent_id"] for t in data["accepted"]] == [INTENTS[0], INTENTS[8]]
    assert [(r["payment_intent_id"], r["source"]) for r in data["rejected"]] == [
        (t.get("payment_intent_id"), source) for t, source in bad
    ]
    assert all(r["reason"] and r["code"] for r in data["rejected"])
    assert data["rejected"][5]["code"] == "resource_not_found"
    assert {t.payment_intent_id for t in state.all_trackers()} == {INTENTS[0], INTENTS[8]}
    assert response.json()["meta_data"] == {"batch": 3}


async def test_upsert_is_last_write_wins_without_duplicates(http: httpx.AsyncClient) -> None:
    first = {"payment_intent_id": INTENTS[0], "shipments": [shipment("1ZA"), shipment("1ZB")]}
    second = {"payment_intent_id": INTENTS[0], "shipments": [shipment("1ZC")]}
    await http.post(PATH, headers=headers(), json={"trackers": [first]})
    await http.post(PATH, headers=headers(), json={"trackers": [second]})
    stored = (await http.get("/_sandbox/trackers")).json()
    assert stored["count"] == 1 and stored["trackers"][0]["writes"] == 2
    assert [s["tracking_number"] for s in stored["trackers"][0]["shipments"]] == ["1ZC"]
    got = (await http.get(f"{PATH}/{INTENTS[0]}", headers=headers())).json()
    assert got["code"] == "0000" and got["merchant_no"] == MERCHANT_NO and got["app_id"] == APP_ID
    assert got["data"]["shipments"] == second["shipments"]


async def test_retrieve_unknown_is_404_with_error_body(http: httpx.AsyncClient) -> None:
    response = await http.get(f"{PATH}/{INTENTS[9]}", headers=headers())
    assert response.status_code == 404
    assert response.json()["code"] == "resource_not_found" and response.json()["source"] == "payment_intent_id"


async def test_admin_seeds_merchants_and_intents_and_never_shows_keys(http: httpx.AsyncClient) -> None:
    merchant = {"merchant_no": "7", "app_id": "demo.app", "api_key": "UseePay_SK_admin_abcdef"}
    created = await http.post("/_sandbox/merchants", json=merchant)
    assert created.status_code == 201 and "UseePay_SK_admin_abcdef" not in created.text
    creds = {"x-merchant-no": "7", "x-app-id": "demo.app", "x-api-key": "UseePay_SK_admin_abcdef"}
    body = {"trackers": [{"payment_intent_id": "pi_new", "shipments": [shipment()]}]}
    assert (await http.post(PATH, headers=creds, json=body)).json()["data"]["rejected"][0][
        "payment_intent_id"
    ] == "pi_new"
    added = await http.post("/_sandbox/merchants/7/payment_intents", json={"ids": ["pi_new"]})
    assert added.status_code == 200 and added.json()["payment_intents"] == 1
    assert (await http.post(PATH, headers=creds, json=body)).json()["data"]["accepted"][0][
        "payment_intent_id"
    ] == "pi_new"
    assert (await http.post("/_sandbox/merchants/nobody/payment_intents", json={"ids": ["x"]})).status_code == 404
    listed = await http.get("/_sandbox/merchants")
    assert "UseePay_SK_admin_abcdef" not in listed.text and API_KEY not in listed.text


async def test_accept_any_payment_intent_for_demos(http: httpx.AsyncClient) -> None:
    merchant = {
        "merchant_no": "8",
        "app_id": "bench",
        "api_key": "UseePay_SK_bench_123456",
        "accept_any_payment_intent": True,
    }
    await http.post("/_sandbox/merchants", json=merchant)
    creds = {"x-merchant-no": "8", "x-app-id": "bench", "x-api-key": "UseePay_SK_bench_123456"}
    body = {"trackers": [{"payment_intent_id": f"any_{i}", "shipments": [shipment()]} for i in range(3)]}
    data = (await http.post(PATH, headers=creds, json=body)).json()["data"]
    assert len(data["accepted"]) == 3 and data["rejected"] == []


async def test_request_log_records_api_calls_only_and_reset_clears(
    http: httpx.AsyncClient, state: UseePayState
) -> None:
    body = {"trackers": [{"payment_intent_id": i, "shipments": [shipment()]} for i in INTENTS[:3]]}
    await http.post(PATH, headers=headers(), json=body)
    await http.get(f"{PATH}/{INTENTS[0]}", headers=headers())
    log = (await http.get("/_sandbox/requests")).json()
    assert log["count"] == 2 and log["batch_sizes"] == [3] and log["by_status"] == {"200": 2}
    assert log["requests"][0]["body"] == body and log["requests"][1]["method"] == "GET"
    assert API_KEY not in json.dumps(log)
    await http.post("/_sandbox/reset")
    assert (await http.get("/_sandbox/requests")).json()["count"] == 0
    assert (await http.get("/_sandbox/trackers")).json()["count"] == 0
    assert MERCHANT_NO in state.merchants


async def test_reset_restores_the_constructed_merchants(http: httpx.AsyncClient, state: UseePayState) -> None:
    await http.post("/_sandbox/merchants", json={"merchant_no": "9", "app_id": "a", "api_key": "UseePay_SK_9999"})
    state.add_payment_intents(MERCHANT_NO, ["extra"])
    state.reset()
    assert set(state.merchants) == {MERCHANT_NO} and "extra" not in state.merchants[MERCHANT_NO].payment_intents


async def test_mounted_under_a_prefix() -> None:
    state = UseePayState({MERCHANT_NO: (APP_ID, API_KEY)}, accept_any_payment_intent=[MERCHANT_NO])
    parent = FastAPI()
    parent.mount("/useepay", create_app(state))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=parent), base_url="http://hub") as http:
        body = {"trackers": [{"payment_intent_id": "pi_m", "shipments": [shipment()]}]}
        response = await http.post(f"/useepay{PATH}", headers=headers(), json=body)
        assert response.status_code == 200 and response.json()["data"]["accepted"][0]["payment_intent_id"] == "pi_m"
        assert (await http.get("/useepay/_sandbox/requests")).json()["count"] == 1


async def test_same_intent_twice_in_one_request_keeps_the_later_entry(http: httpx.AsyncClient) -> None:
    trackers = [
        {"payment_intent_id": INTENTS[0], "shipments": [shipment("1ZOLD")]},
        {"payment_intent_id": INTENTS[0], "shipments": [shipment("1ZNEW")]},
    ]
    data = (await http.post(PATH, headers=headers(), json={"trackers": trackers})).json()["data"]
    assert len(data["accepted"]) == 2
    stored = (await http.get("/_sandbox/trackers")).json()
    assert stored["count"] == 1 and stored["trackers"][0]["shipments"][0]["tracking_number"] == "1ZNEW"


async def test_non_json_content_type_is_400(http: httpx.AsyncClient) -> None:
    body = json.dumps({"trackers": [{"payment_intent_id": INTENTS[0], "shipments": [shipment()]}]})
    response = await http.post(PATH, headers={**headers(), "Content-Type": "text/plain"}, content=body)
    assert response.status_code == 400 and response.json()["source"] == "Content-Type"
