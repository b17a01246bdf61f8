"""Contract review: what a black-box test written from the seed would check, against a fresh sandbox."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from parcelsync.sandbox.server import Sandboxes, SandboxUrls
from parcelsync.sandbox.server import create_app as create_sandboxes
from parcelsync.sandbox.useepay import UseePayState, create_app

pytestmark = pytest.mark.anyio

SEED = json.loads((Path(__file__).parents[2] / "fixtures" / "useepay" / "seed_request.json").read_text())
PATH = "/api/v2/shipping/trackers"
ERROR_KEYS = {"code", "source", "message"}


def _client(app: Any, base_url: str = "http://openapi1.uat.useepay.com") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)


def _tracker(intent: str, *numbers: str) -> dict[str, Any]:
    shipments = [{"carrier": "ups", "tracking_number": n, "tracking_url": "https://www.ups.com/"} for n in numbers]
    return {"payment_intent_id": intent, "shipments": shipments}


async def test_header_names_are_case_insensitive() -> None:
    shouted = {k.upper(): v for k, v in SEED["headers"].items()}
    async with _client(create_app()) as http:
        response = await http.post(PATH, headers=shouted, json=SEED["body"])
    assert response.status_code == 200
    assert [t["payment_intent_id"] for t in response.json()["data"]["accepted"]] == [
        t["payment_intent_id"] for t in SEED["body"]["trackers"]
    ]


async def test_exactly_20_trackers_pass_and_21_are_400_in_the_error_shape() -> None:
    state_app = create_app()
    intents = [f"90000000000000{i:05d}" for i in range(21)]
    state_app.state.useepay.add_payment_intents(SEED["headers"]["x-merchant-no"], intents)
    trackers = [_tracker(i, "1Z1") for i in intents]
    async with _client(state_app) as http:
        ok = await http.post(PATH, headers=SEED["headers"], json={"trackers": trackers[:20]})
        too_many = await http.post(PATH, headers=SEED["headers"], json={"trackers": trackers})
    assert ok.status_code == 200 and len(ok.json()["data"]["accepted"]) == 20
    assert too_many.status_code == 400
    assert set(too_many.json()) == ERROR_KEYS and too_many.json()["source"] == "trackers"


async def test_repeat_upload_without_the_first_parcel_clears_it() -> None:
    intent = SEED["body"]["trackers"][0]["payment_intent_id"]
    async with _client(create_app()) as http:
        await http.post(PATH, headers=SEED["headers"], json={"trackers": [_tracker(intent, "1ZA", "1ZB")]})
        second = await http.post(PATH, headers=SEED["headers"], json={"trackers": [_tracker(intent, "1ZB")]})
        stored = await http.get(f"{PATH}/{intent}", headers=SEED["headers"])
    assert second.json()["data"]["accepted"][0]["shipments"] == _tracker(intent, "1ZB")["shipments"]
    assert stored.status_code == 200
    assert stored.json()["code"] == "0000"
    assert [s["tracking_number"] for s in stored.json()["data"]["shipments"]] == ["1ZB"]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/nowhere", 404),
        ("GET", "/", 404),
        ("GET", "/docs", 404),
        ("GET", "/openapi.json", 404),
        ("GET", PATH, 405),
        ("PUT", PATH, 405),
        ("DELETE", f"{PATH}/1012601291730245786", 405),
    ],
)
async def test_unknown_routes_and_methods_answer_in_the_v2_error_shape(method: str, path: str, status: int) -> None:
    async with _client(create_app()) as http:
        response = await http.request(method, path, headers=SEED["headers"])
    assert response.status_code == status
    assert set(response.json()) == ERROR_KEYS
    assert response.json()["code"] == ("resource_not_found" if status == 404 else "invalid_request_error")


async def test_admin_validation_errors_never_leak_fastapi_detail() -> None:
    async with _client(create_app()) as http:
        response = await http.post("/_sandbox/merchants", json={"merchant_no": 1})
        docs = await http.get("/_sandbox/openapi.json")
    assert response.status_code == 400
    assert set(response.json()) == ERROR_KEYS
    assert response.json()["source"] == "merchant_no"
    assert docs.status_code == 200 and PATH in docs.json()["paths"]


async def test_seed_request_verbatim_against_the_combined_server_defaults() -> None:
    async with _client(create_sandboxes(Sandboxes()), "http://sandbox") as http:
        urls = SandboxUrls("http://sandbox")
        response = await http.post(urls.useepay + PATH, headers=SEED["headers"], json=SEED["body"])
        missing = await http.get(urls.useepay + "/nowhere")
    assert response.status_code == 200
    assert response.json()["meta_data"] == SEED["body"]["meta_data"]
    assert len(response.json()["data"]["accepted"]) == len(SEED["body"]["trackers"])
    assert set(missing.json()) == ERROR_KEYS


async def test_json_nested_past_the_parser_limit_is_400_not_500() -> None:
    async with _client(create_app()) as http:
        response = await http.post(PATH, headers=SEED["headers"], content=b"[" * 100_000 + b"]" * 100_000)
    assert response.status_code == 400 and response.json()["source"] == "body"


async def test_unparseable_tracking_url_rejects_that_tracker_only() -> None:
    intents = [t["payment_intent_id"] for t in SEED["body"]["trackers"]]
    bad = {"payment_intent_id": intents[0],
           "shipments": [{"carrier": "ups", "tracking_number": "1Z1", "tracking_url": "http://[::1"}]}
    async with _client(create_app()) as http:
        response = await http.post(PATH, headers=SEED["headers"], json={"trackers": [bad, _tracker(intents[1], "1Z2")]})
    assert response.status_code == 200
    assert [r["source"] for r in response.json()["data"]["rejected"]] == ["shipments[0].tracking_url"]
    assert [a["payment_intent_id"] for a in response.json()["data"]["accepted"]] == [intents[1]]


async def test_a_sandbox_bug_still_answers_in_the_error_shape() -> None:
    def broken_clock() -> Any:
        raise RuntimeError("clock stopped")

    app = create_app(UseePayState(demo=True, clock=broken_clock))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://sandbox") as http:
        response = await http.post(PATH, headers=SEED["headers"], json=SEED["body"])
    assert response.status_code == 500
    assert set(response.json()) == ERROR_KEYS
