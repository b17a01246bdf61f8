"""The AfterShip sandbox as a raw HTTP caller sees it: envelope, codes, fields, limits, admin."""

from __future__ import annotations

import httpx
import pytest
from tests.integration.aftership.conftest import API_KEY

from parcelsync.sandbox.aftership import AfterShipState

pytestmark = pytest.mark.anyio
H = {"as-api-key": API_KEY}


@pytest.mark.parametrize(("body", "status", "code"), [
    ({}, 400, 4007),
    ({"tracking_number": "!"}, 400, 4005),
    ({"tracking_number": "1Z5R89390357567127", "slug": "no-such-courier"}, 400, 4010),
    ({"tracking_number": "ZZZ999"}, 400, 4012),
    ({"tracking_number": "1Z5R89390357567127", "slug": "ups", "language": "english"}, 400, 4008),
    ({"tracking_number": "1Z5R89390357567127", "slug": "ups", "tracking_ship_date": "2026-11-30"}, 400, 4008),
    ({"tracking_number": "1Z5R89390357567127", "slug": "ups", "customers": [{"role": "boss"}]}, 400, 4008),
    ({"tracking_number": "1Z5R89390357567127", "slug": "ups", "custom_fields": {"a": 1}}, 400, 4008),
    ({"tracking_number": "1Z5R89390357567127", "slug": "ups", "delivery_type": "drone"}, 400, 4008),
])
async def test_create_validation(http: httpx.AsyncClient, body: dict[str, object], status: int, code: int) -> None:
    answer = await http.post("/trackings", headers=H, json=body)
    assert answer.status_code == status
    assert answer.json()["meta"]["code"] == code and answer.json()["meta"]["type"] == "BadRequest"


async def test_invalid_json_duplicate_and_ids(http: httpx.AsyncClient) -> None:
    bad = await http.post("/trackings", headers={**H, "Content-Type": "application/json"}, content=b"{nope")
    assert bad.json()["meta"]["code"] == 4001
    body = {"tracking_number": "1Z5R89390357567127", "slug": "ups"}
    assert (await http.post("/trackings", headers=H, json=body)).status_code == 201
    dup = await http.post("/trackings", headers=H, json=body)
    assert dup.status_code == 400 and dup.json()["meta"] == {"code": 4003, "message": "Tracking already exists.",
                                                             "type": "BadRequest"}
    missing = await http.get("/trackings/" + "a" * 24, headers=H)
    assert missing.status_code == 404 and missing.json()["meta"]["code"] == 4004
    malformed = await http.get("/trackings/NOT-AN-ID", headers=H)
    assert malformed.status_code == 400 and malformed.json()["meta"]["code"] == 4015


async def test_update_cannot_change_the_number(http: httpx.AsyncClient) -> None:
    created = (await http.post("/trackings", headers=H, json={"tracking_number": "1Z5R89390357567127",
                                                               "slug": "ups"})).json()["data"]
    answer = await http.put(f"/trackings/{created['id']}", headers=H, json={"tracking_number": "1Z000"})
    assert answer.json()["meta"]["code"] == 4008


async def test_auth_and_rate_limit_headers(http: httpx.AsyncClient) -> None:
    missing = await http.get("/couriers")
    assert missing.status_code == 401 and missing.json()["meta"] == {"code": 401, "message": "Invalid API key.",
                                                                     "type": "Unauthorized"}
    limits = {}
    for path, method in (("/trackings", "GET"), ("/couriers", "GET"), ("/couriers/detect", "POST")):
        answer = await http.request(method, path, headers=H, json={"tracking_number": "1Z5R89390357567127"}
                                    if method == "POST" else None)
        limits[path] = answer.headers["X-RateLimit-Limit"]
        assert int(answer.headers["X-RateLimit-Reset"]) > 0 and "X-RateLimit-Remaining" in answer.headers
    assert limits == {"/trackings": "6", "/couriers": "5", "/couriers/detect": "3"}


async def test_detect_limit_is_three_per_second(http: httpx.AsyncClient, state: AfterShipState) -> None:
    codes = [(await http.post("/couriers/detect", headers=H, json={"tracking_number": "1Z5R89390357567127"}))
             .status_code for _ in range(4)]
    assert codes[:3] == [200, 200, 200] and codes[3] in (200, 429)  # 429 unless a second boundary passed
    await http.patch("/_sandbox/settings", json={"rate_limits": False})
    assert all([(await http.post("/couriers/detect", headers=H, json={"tracking_number": "1Z5R89390357567127"}))
                .status_code == 200 for _ in range(6)])


async def test_admin_state_requests_reset(http: httpx.AsyncClient, state: AfterShipState) -> None:
    await http.post("/trackings", headers=H, json={"tracking_number": "1Z5R89390357567127", "slug": "ups"})
    assert (await http.get("/_sandbox/state")).json()["trackings"] == 1
    assert (await http.get("/_sandbox/requests")).json()["count"] == 1
    added = await http.post("/_sandbox/accounts", json={"api_key": "asat_other_key", "webhook_url": None})
    assert added.status_code == 201 and added.json()["api_key"].startswith("****")
    await http.post("/_sandbox/reset")
    assert "asat_other_key" not in state.accounts and API_KEY not in state.accounts


async def test_webhooks_are_retried_until_the_receiver_accepts() -> None:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    from parcelsync.sandbox.aftership import create_app

    answers = [500, 503, 200]
    seen: list[str] = []

    async def hook(request: Request) -> Response:
        seen.append(request.headers["aftership-hmac-sha256"])
        return Response(status_code=answers.pop(0))

    receiver = Starlette(routes=[Route("/hook", hook, methods=["POST"])])
    state = AfterShipState()
    state.add_account("asat_retry_key", "http://hub.test/hook", "whsec-retry-0001")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=receiver), base_url="http://hub.test") as hooks, \
            httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(state, webhook_client=hooks,
                                                                             webhook_backoff_s=0)),
                              base_url="http://aftership.sandbox") as http:
        await http.post("/trackings", headers={"as-api-key": "asat_retry_key"},
                        json={"tracking_number": "1Z5R89390357567127", "slug": "ups"})
        report = (await http.post("/_sandbox/clock/advance", json={"seconds": 7 * 3600})).json()["webhooks"][0]
    assert report["attempts"] == 3 and report["responses"] == [500, 503, 200] and report["delivered"]
    assert len(set(seen)) == 1  # the same body, the same signature, every attempt
