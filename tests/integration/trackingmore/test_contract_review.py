"""Contract review: the seed's request verbatim on a fresh sandbox, limits, and the meta envelope everywhere."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from parcelsync.sandbox.server import Sandboxes, SandboxUrls
from parcelsync.sandbox.server import create_app as create_sandboxes
from parcelsync.sandbox.trackingmore import TrackingMoreState, create_app
from parcelsync.sandbox.trackingmore.carriers import CarrierBook, load_carriers

pytestmark = pytest.mark.anyio

FIXTURES = Path(__file__).parents[2] / "fixtures" / "trackingmore"
SEED_REQUEST = json.loads((FIXTURES / "seed_put_request.json").read_text())
SEED_RESPONSE = json.loads((FIXTURES / "seed_put_response.json").read_text())
# The seed's headers, placeholder key included.
SEED_HEADERS = {"Content-Type": "application/json", "Trackingmore-Api-Key": "YOUR_API_KEY"}
ENVELOPE_KEYS = {"meta", "data"}
META_KEYS = {"code", "type", "message"}


def _client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="https://api.trackingmore.com")


def _meta(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    assert set(body) == ENVELOPE_KEYS and set(body["meta"]) == META_KEYS
    return body["meta"]  # type: ignore[no-any-return]


async def test_seed_put_example_verbatim_with_the_seed_placeholder_key() -> None:
    async with _client(create_app()) as http:
        created = await http.post("/v2/trackings/post", headers=SEED_HEADERS,
                                  json={"tracking_number": "402934299065", "carrier_code": "sto"})
        response = await http.put("/v2/trackings/sto/402934299065", headers=SEED_HEADERS, json=SEED_REQUEST)
    assert _meta(created)["code"] == 201
    assert response.status_code == 200
    assert response.json()["meta"] == SEED_RESPONSE["meta"]
    assert set(response.json()["data"]) == set(SEED_RESPONSE["data"])
    assert response.json()["data"]["status"] == "7"


async def test_placeholder_key_is_only_there_with_the_default_account() -> None:
    async with _client(create_app(TrackingMoreState(default_account=False))) as http:
        response = await http.get("/v2/trackings/getuserinfo", headers=SEED_HEADERS)
    assert _meta(response)["code"] == 4001


async def test_header_name_is_case_insensitive() -> None:
    async with _client(create_app()) as http:
        response = await http.get("/v2/trackings/getuserinfo", headers={"trackingmore-api-key": "YOUR_API_KEY"})
    assert _meta(response)["code"] == 200


async def test_batch_of_40_passes_and_41_is_4020() -> None:
    def items(n: int) -> list[dict[str, str]]:
        return [{"tracking_number": f"UG{i:09d}YP", "carrier_code": "yanwen"} for i in range(n)]

    async with _client(create_app()) as http:
        forty = await http.post("/v2/trackings/batch", headers=SEED_HEADERS, json=items(40))
        forty_one = await http.post("/v2/trackings/batch", headers=SEED_HEADERS, json=items(41))
    assert _meta(forty)["code"] == 201 and forty.json()["data"]["added"] == 40
    assert _meta(forty_one)["code"] == 4020


async def test_list_limit_defaults_to_100_and_2001_is_refused() -> None:
    async with _client(create_app()) as http:
        default = await http.get("/v2/trackings/get", headers=SEED_HEADERS)
        top = await http.get("/v2/trackings/get", headers=SEED_HEADERS, params={"limit": 2000})
        over = await http.get("/v2/trackings/get", headers=SEED_HEADERS, params={"limit": 2001})
    assert _meta(default)["code"] == 200 and default.json()["data"]["limit"] == 100
    assert _meta(top)["code"] == 200
    assert _meta(over)["code"] == 4012


@pytest.mark.parametrize(("status", "code"), [(4, 200), (7, 200), (8, 200), (1, 4033), (5, 4033), ("x", 4033)])
async def test_put_status_only_4_7_or_8(status: Any, code: int) -> None:
    async with _client(create_app()) as http:
        await http.post("/v2/trackings/post", headers=SEED_HEADERS,
                        json={"tracking_number": "402934299065", "carrier_code": "sto"})
        response = await http.put("/v2/trackings/sto/402934299065", headers=SEED_HEADERS, json={"status": status})
    assert _meta(response)["code"] == code


async def test_quota_error_arrives_with_http_200_and_meta_code() -> None:
    state = TrackingMoreState()
    state.add_account("empty-quota-key", "e@q.test", quota=0)
    async with _client(create_app(state)) as http:
        response = await http.post("/v2/trackings/post", headers={"Trackingmore-Api-Key": "empty-quota-key"},
                                   json={"tracking_number": "402934299065", "carrier_code": "sto"})
    assert response.status_code == 200
    assert _meta(response)["code"] == 4021


@pytest.mark.parametrize(
    ("method", "path", "code"),
    [
        ("GET", "/", 404),
        ("GET", "/v2/nowhere", 404),
        ("GET", "/v3/trackings/get", 404),
        ("GET", "/docs", 404),
        ("PATCH", "/v2/trackings/post", 405),
        ("GET", "/v2/trackings/batch", 405),
        ("GET", "/_sandbox/nowhere", 404),
    ],
)
async def test_unknown_routes_and_methods_answer_in_the_meta_envelope(method: str, path: str, code: int) -> None:
    async with _client(create_app()) as http:
        response = await http.request(method, path, headers=SEED_HEADERS)
    assert response.status_code == code
    assert _meta(response)["code"] == code


async def test_admin_validation_errors_never_leak_fastapi_detail() -> None:
    async with _client(create_app()) as http:
        response = await http.post("/_sandbox/accounts", json={"api_key": "x"})
    assert response.status_code == 422
    assert _meta(response)["code"] == 4012
    assert "detail" not in response.json()


async def test_envelope_through_the_combined_server_defaults() -> None:
    urls = SandboxUrls("http://sandbox")
    async with _client(create_sandboxes(Sandboxes())) as http:
        ok = await http.get(urls.trackingmore + "/trackings/getuserinfo", headers=SEED_HEADERS)
        missing = await http.get(urls.trackingmore + "/nowhere", headers=SEED_HEADERS)
    assert _meta(ok)["code"] == 200
    assert _meta(missing)["code"] == 404


async def test_json_nested_past_the_parser_limit_is_4012_not_500() -> None:
    async with _client(create_app()) as http:
        response = await http.post("/v2/trackings/batch", headers=SEED_HEADERS,
                                   content=b"[" * 100_000 + b"]" * 100_000)
    assert _meta(response)["code"] == 4012


class _BrokenCarriers(CarrierBook):
    def get(self, code: str) -> Any:
        raise RuntimeError("carrier data unreadable")


async def test_a_sandbox_bug_still_answers_in_the_meta_envelope() -> None:
    state = TrackingMoreState(carriers=_BrokenCarriers(load_carriers().carriers))
    transport = httpx.ASGITransport(app=create_app(state), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="https://api.trackingmore.com") as http:
        response = await http.post("/v2/trackings/post", headers=SEED_HEADERS,
                                   json={"tracking_number": "402934299065", "carrier_code": "sto"})
    assert response.status_code == 500
    assert _meta(response)["code"] == 500
