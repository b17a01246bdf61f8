"""The PayPal sandbox as a raw HTTP caller sees it: docs' examples, OAuth, validation, error shapes."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import httpx
import pytest
from tests.integration.paypal.paypal_support import (
    CAPTURE_ID,
    CLIENT_ID,
    CLIENT_SECRET,
    ORDER_ID,
    TRANSACTIONS,
    bearer,
)

from parcelsync.sandbox.paypal import PayPalState, create_app
from parcelsync.sandbox.paypal.models import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET

pytestmark = pytest.mark.anyio
FIXTURES = Path(__file__).parents[2] / "fixtures" / "paypal"


def fixture(name: str) -> object:
    return json.loads((FIXTURES / name).read_text())


async def fresh_http() -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app()), base_url="http://paypal.sandbox")


async def test_docs_orders_track_example_is_accepted_verbatim_on_a_fresh_sandbox() -> None:
    """The reference page's curl: its bearer token, auth assertion, order id and body, as they are."""
    async with await fresh_http() as http:
        headers = fixture("orders_track_headers.json")
        answer = await http.post("/v2/checkout/orders/5O190127TN364715T/track", headers=headers,  # type: ignore[arg-type]
                                 json=fixture("orders_track_request.json"))
        assert answer.status_code == 201, answer.text
        [unit] = answer.json()["purchase_units"]
        [tracker] = unit["shipping"]["trackers"]
        assert tracker["id"] == "8MC585209K746392H-443844607820" and tracker["status"] == "SHIPPED"
        assert answer.headers["Paypal-Debug-Id"]


async def test_docs_trackers_batch_example_is_accepted_verbatim_on_a_fresh_sandbox() -> None:
    async with await fresh_http() as http:
        headers = await bearer(http, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)
        answer = await http.post("/v1/shipping/trackers-batch", headers=headers,
                                 json=fixture("trackers_batch_request.json"))
        assert answer.status_code == 200
        body = answer.json()
        assert body["errors"] == []
        assert [t["tracking_number"] for t in body["tracker_identifiers"]] == ["443844607820", "443844607821"]
        shown = await http.get("/v1/shipping/trackers/53Y56775AE587553X-443844607821", headers=headers)
        assert shown.json()["status"] == "SHIPPED" and shown.json()["carrier"] == "FEDEX"


async def test_docs_patch_example_is_refused_as_not_patchable() -> None:
    """The reference page's PATCH sample patches an address; its own error sample answers FIELD_NOT_PATCHABLE."""
    async with await fresh_http() as http:
        headers = await bearer(http, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)
        await http.post("/v2/checkout/orders/5O190127TN364715T/track", headers=headers,
                        json=fixture("orders_track_request.json"))
        answer = await http.patch("/v2/checkout/orders/5O190127TN364715T/trackers/8MC585209K746392H-443844607820",
                                  headers=headers, json=fixture("orders_trackers_patch_example.json"))
        assert answer.status_code == 400
        body = answer.json()
        assert body["name"] == "INVALID_REQUEST" and body["details"][0]["issue"] == "FIELD_NOT_PATCHABLE"
        assert body["debug_id"]


async def test_docs_token_example_with_its_placeholders() -> None:
    """`curl -u "CLIENT_ID:CLIENT_SECRET" -d "grant_type=client_credentials"` from the authentication page."""
    async with await fresh_http() as http:
        answer = await http.post("/v1/oauth2/token", auth=("CLIENT_ID", "CLIENT_SECRET"),
                                 headers={"Content-Type": "application/x-www-form-urlencoded"},
                                 content=b"grant_type=client_credentials")
    assert answer.status_code == 200 and answer.json()["token_type"] == "Bearer"


async def test_token_endpoint_rules(http: httpx.AsyncClient) -> None:
    basic = base64.b64encode(b"AZtestclient000111:EKtestsecret-shhh-999888777").decode()
    ok = await http.post("/v1/oauth2/token", headers={"Authorization": f"Basic {basic}"},
                         data={"grant_type": "client_credentials"})
    assert ok.status_code == 200
    assert set(ok.json()) == {"scope", "access_token", "token_type", "app_id", "expires_in", "nonce"}
    assert ok.json()["token_type"] == "Bearer" and ok.json()["expires_in"] == 32400
    assert "shipping/trackers/readwrite" in ok.json()["scope"]
    grant = await http.post("/v1/oauth2/token", headers={"Authorization": f"Basic {basic}"},
                            data={"grant_type": "password"})
    assert grant.status_code == 400 and grant.json()["error"] == "unsupported_grant_type"
    wrong = base64.b64encode(b"AZtestclient000111:nope").decode()
    refused = await http.post("/v1/oauth2/token", headers={"Authorization": f"Basic {wrong}"},
                              data={"grant_type": "client_credentials"})
    assert refused.status_code == 401 and refused.json() == {"error": "invalid_client",
                                                             "error_description": "Client Authentication failed"}


async def test_expired_and_missing_tokens(http: httpx.AsyncClient, state: PayPalState) -> None:
    headers = await bearer(http)
    state.advance(state.token_ttl_s + 1)
    expired = await http.get(f"/v2/checkout/orders/{ORDER_ID}", headers=headers)
    assert expired.status_code == 401 and expired.json()["error"] == "invalid_token"
    missing = await http.get(f"/v2/checkout/orders/{ORDER_ID}")
    assert missing.status_code == 401 and missing.json()["name"] == "AUTHENTICATION_FAILURE"


@pytest.mark.parametrize(("body", "field", "issue"), [
    ({"tracking_number": "1Z5R89390357567127", "carrier": "UPS"}, "/capture_id", "MISSING_REQUIRED_PARAMETER"),
    ({"capture_id": CAPTURE_ID, "tracking_number": "1Z5R89390357567127"}, "/carrier", "MISSING_REQUIRED_PARAMETER"),
    ({"capture_id": CAPTURE_ID, "tracking_number": "1Z5R8939", "carrier": "NOPE"}, "/carrier",
     "INVALID_PARAMETER_VALUE"),
    ({"capture_id": CAPTURE_ID, "tracking_number": "1Z5R8939", "carrier": "OTHER"}, "/carrier_name_other",
     "MISSING_REQUIRED_PARAMETER"),
    ({"capture_id": CAPTURE_ID, "tracking_number": "a@b.example", "carrier": "UPS"}, "/tracking_number",
     "INVALID_PARAMETER_VALUE"),
    ({"capture_id": CAPTURE_ID, "tracking_number": "X" * 65, "carrier": "UPS"}, "/tracking_number",
     "INVALID_STRING_LENGTH"),
    ({"capture_id": "bad-id!", "tracking_number": "1Z5R8939", "carrier": "UPS"}, "/capture_id",
     "INVALID_PARAMETER_SYNTAX"),
    ({"capture_id": CAPTURE_ID, "tracking_number": "1Z5R8939", "carrier": "UPS", "notify_payer": "yes"},
     "/notify_payer", "INVALID_PARAMETER_SYNTAX"),
    ({"capture_id": CAPTURE_ID, "tracking_number": "1Z5R8939", "carrier": "UPS",
      "items": [{"name": "x", "upc": {"type": "EAN", "code": "012345678901"}}]}, "/items/0/upc/type",
     "INVALID_PARAMETER_VALUE"),
])
async def test_order_track_validation(http: httpx.AsyncClient, body: dict[str, object], field: str,
                                      issue: str) -> None:
    answer = await http.post(f"/v2/checkout/orders/{ORDER_ID}/track", headers=await bearer(http), json=body)
    assert answer.status_code == 400
    details = answer.json()["details"]
    assert (details[0]["field"], details[0]["issue"]) == (field, issue)


async def test_unknown_capture_and_order(http: httpx.AsyncClient) -> None:
    headers = await bearer(http)
    body = {"capture_id": "0AB12345CD6789012", "tracking_number": "1Z5R8939", "carrier": "UPS"}
    capture = await http.post(f"/v2/checkout/orders/{ORDER_ID}/track", headers=headers, json=body)
    assert capture.status_code == 422 and capture.json()["name"] == "UNPROCESSABLE_ENTITY"
    order = await http.post("/v2/checkout/orders/NOSUCHORDER1/track", headers=headers, json=body)
    assert order.status_code == 404 and order.json()["name"] == "RESOURCE_NOT_FOUND"


async def test_patch_status_only_to_cancelled(http: httpx.AsyncClient) -> None:
    headers = await bearer(http)
    await http.post(f"/v2/checkout/orders/{ORDER_ID}/track", headers=headers,
                    json={"capture_id": CAPTURE_ID, "tracking_number": "1Z5R8939", "carrier": "UPS"})
    url = f"/v2/checkout/orders/{ORDER_ID}/trackers/{CAPTURE_ID}-1Z5R8939"
    shipped = await http.patch(url, headers=headers, json=[{"op": "replace", "path": "/status", "value": "SHIPPED"}])
    assert shipped.status_code == 422
    cancelled = await http.patch(url, headers=headers,
                                 json=[{"op": "replace", "path": "/status", "value": "CANCELLED"}])
    assert cancelled.status_code == 204 and cancelled.content == b""
    order = (await http.get(f"/v2/checkout/orders/{ORDER_ID}", headers=headers)).json()
    assert order["purchase_units"][0]["shipping"]["trackers"][0]["status"] == "CANCELLED"


async def test_batch_limits_and_shapes(http: httpx.AsyncClient) -> None:
    headers = await bearer(http)
    too_many = {"trackers": [{"transaction_id": t, "tracking_number": f"1Z{i:08d}", "status": "SHIPPED",
                              "carrier": "UPS"} for i, t in enumerate(TRANSACTIONS[:21])]}
    answer = await http.post("/v1/shipping/trackers-batch", headers=headers, json=too_many)
    assert answer.status_code == 400 and answer.json()["details"][0]["field"] == "/trackers"
    mixed = {"trackers": [{"transaction_id": TRANSACTIONS[0], "tracking_number": "1Z1", "status": "SHIPPED",
                           "carrier": "UPS"},
                          {"transaction_id": TRANSACTIONS[1], "tracking_number": "1Z2", "status": "LOST",
                           "carrier": "UPS"}]}
    body = (await http.post("/v1/shipping/trackers-batch", headers=headers, json=mixed)).json()
    assert len(body["tracker_identifiers"]) == 1
    [error] = body["errors"]
    assert set(error) >= {"name", "message", "debug_id", "details"}
    assert error["details"][0]["field"] == "/trackers/1/status"


async def test_request_id_replays_the_first_answer(http: httpx.AsyncClient, state: PayPalState) -> None:
    headers = {**await bearer(http), "PayPal-Request-Id": "req-0001"}
    body = {"trackers": [{"transaction_id": TRANSACTIONS[0], "tracking_number": "1Z1", "status": "SHIPPED",
                          "carrier": "UPS"}]}
    first = await http.post("/v1/shipping/trackers-batch", headers=headers, json=body)
    body["trackers"][0]["status"] = "DELIVERED"
    second = await http.post("/v1/shipping/trackers-batch", headers=headers, json=body)
    assert first.json()["tracker_identifiers"] == second.json()["tracker_identifiers"]
    [tracker] = state.trackers.values()
    assert tracker.status == "SHIPPED"


async def test_admin_seed_and_reset(http: httpx.AsyncClient, state: PayPalState) -> None:
    seeded = await http.post("/_sandbox/apps", json={"client_id": "ANOTHER", "client_secret": "s3cret-xyz",
                                                     "orders": {"ORDER0001": ["CAP0001"]}})
    assert seeded.status_code == 201 and "client_secret" not in seeded.json()
    assert (await http.get("/_sandbox/state")).json()["apps"]
    await http.post("/_sandbox/reset")
    assert "ANOTHER" not in state.apps and state.trackers == {}


async def test_capture_not_completed_is_refused(http: httpx.AsyncClient) -> None:
    await http.post("/_sandbox/apps", json={"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
                                            "orders": {"ORDER0002": {"CAP0002": "DECLINED"}}})
    answer = await http.post("/v2/checkout/orders/ORDER0002/track", headers=await bearer(http),
                             json={"capture_id": "CAP0002", "tracking_number": "1Z5R8939", "carrier": "UPS"})
    assert answer.status_code == 422 and answer.json()["details"][0]["issue"] == "CAPTURE_STATUS_NOT_VALID"
