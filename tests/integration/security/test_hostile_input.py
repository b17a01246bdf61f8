"""Hostile input on the real API: body size, strict schemas, URLs, Idempotency-Key, request ids."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from parcelsync.ingest.demo import s10_number
from parcelsync.providers.trackingmore.webhook import sign

from .conftest import ALPHA, UPS, World, bearer

pytestmark = pytest.mark.anyio


async def test_oversized_bodies_are_413_naming_the_limit(world: World, http: httpx.AsyncClient) -> None:
    headers = {**bearer(world.alpha_write), "Content-Type": "application/json"}
    declared = await http.post("/v1/shipments/batch", content=b"x" * 50_001, headers=headers)

    async def stream() -> AsyncIterator[bytes]:
        yield b'{"items": ['
        for _ in range(2000):
            yield b'{"tracking_number": "' + UPS.encode() + b'"},'
        yield b"{}]}"

    streamed = await http.post("/v1/shipments/batch", content=stream(), headers=headers)
    for response in (declared, streamed):
        assert response.status_code == 413
        assert "50000" in response.json()["error"]["message"]
    keyed = await http.post(
        "/v1/shipments/batch", content=stream(), headers={**headers, "Idempotency-Key": "big-1"}
    )
    assert keyed.status_code == 413 and "50000" in keyed.json()["error"]["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"tracking_number": UPS, "tracking_numbr": "x"}, "tracking_numbr"),
        ({"tracking_number": UPS, "tracking_url": "javascript:alert(1)"}, "tracking_url"),
        ({"tracking_number": UPS, "tracking_url": "ftp://example.com/x"}, "tracking_url"),
        ({"tracking_number": UPS, "tracking_url": "https://example.com/" + "a" * 2100}, "tracking_url"),
        ({"tracking_number": "x" * 101}, "tracking_number"),
    ],
)
async def test_strict_schema(world: World, http: httpx.AsyncClient, body: dict[str, object], field: str) -> None:
    response = await http.post("/v1/shipments", json=body, headers=bearer(world.alpha_write))
    assert response.status_code == 422, response.text
    assert field in {f["field"] for f in response.json()["error"]["fields"]}


async def test_idempotency_key_on_the_api(world: World, http: httpx.AsyncClient) -> None:
    headers = {**bearer(world.alpha_write), "Idempotency-Key": "order-1001"}
    body = {"tracking_number": "1Z999AA10123456784", "title": "first"}
    first = await http.post("/v1/shipments", json=body, headers=headers)
    replay = await http.post("/v1/shipments", json=body, headers=headers)
    assert first.status_code == replay.status_code == 201
    assert replay.json() == first.json() and replay.headers["idempotent-replayed"] == "true"
    clash = await http.post("/v1/shipments", json={**body, "title": "second"}, headers=headers)
    assert clash.status_code == 409 and clash.json()["error"]["code"] == "conflict"
    admin = {**bearer(world.admin), "X-Merchant-Id": ALPHA, "Idempotency-Key": "order-1001"}
    other_token = await http.post("/v1/shipments", json=body, headers=admin)
    assert other_token.status_code == 200 and other_token.json()["result"] == "unchanged"


async def test_responses_carry_a_request_id(world: World, http: httpx.AsyncClient) -> None:
    ok = await http.get("/v1/shipments", headers={**bearer(world.alpha_read), "X-Request-ID": "trace-42"})
    denied = await http.get("/v1/shipments")
    assert ok.headers["x-request-id"] == "trace-42"
    assert len(denied.headers["x-request-id"]) == 32


async def test_csv_export_streams_filtered_rows_and_defuses_formulas(world: World, http: httpx.AsyncClient) -> None:
    headers = bearer(world.alpha_write)
    hostile = {"tracking_number": "1Z999AA10123456784", "title": "=HYPERLINK(\"http://evil\",\"x\")",
               "customer_name": "@SUM(1+1)", "order_id": "-1+1", "logistics_channel": "+cmd"}  # fmt: skip
    assert (await http.post("/v1/shipments", json=hostile, headers=headers)).status_code == 201
    response = await http.get("/v1/shipments/export.csv", headers=headers)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert sorted(r["tracking_number"] for r in rows) == sorted([UPS, "1Z999AA10123456784"])
    (row,) = [r for r in rows if r["tracking_number"] == "1Z999AA10123456784"]
    assert row["title"] == "'=HYPERLINK(\"http://evil\",\"x\")"
    assert (row["customer_name"], row["order_id"], row["logistics_channel"]) == ("'@SUM(1+1)", "'-1+1", "'+cmd")
    filtered = await http.get("/v1/shipments/export.csv", params={"order_id": "-1+1"}, headers=headers)
    assert len(list(csv.DictReader(io.StringIO(filtered.text)))) == 1
    bad = await http.get("/v1/shipments/export.csv", params={"limit": "5"}, headers=headers)
    assert bad.status_code == 422


async def test_csv_export_pages_through_many_rows(world: World, http: httpx.AsyncClient) -> None:
    headers = bearer(world.admin) | {"X-Merchant-Id": ALPHA}
    for start in range(1, 1201, 400):  # three batches: the test app's body limit is 50 kB
        items = [{"tracking_number": s10_number(n)} for n in range(start, start + 400)]
        response = await http.post("/v1/shipments/batch", json={"items": items}, headers=headers)
        assert response.status_code == 200 and response.json()["summary"]["rejected"] == 0, response.text[:500]
    export = await http.get("/v1/shipments/export.csv", headers=headers)
    ids = [int(r["id"]) for r in csv.DictReader(io.StringIO(export.text))]
    assert len(ids) == 1201 and ids == sorted(set(ids))


async def test_webhook_replays_are_harmless_and_stale_ones_refused(world: World, http: httpx.AsyncClient) -> None:
    email = "hooks@alpha.example"
    creds = {"credentials": {"api_key": "alpha-trackingmore-key-01", "account_email": email}}
    put = await http.put(f"/v1/merchants/{ALPHA}/connections/trackingmore", json=creds, headers=bearer(world.admin))
    assert put.status_code == 201, put.text
    now = str(int(time.time()))
    data = {"tracking_number": UPS, "carrier_code": "ups", "status": "transit"}
    body = {"meta": {"code": 200}, "data": data, "verifyInfo": {"timeStr": now, "signature": sign(now, email)}}
    url = f"/v1/webhooks/trackingmore/{ALPHA}"
    first = await http.post(url, json=body)
    assert first.status_code == 200 and first.json().get("duplicate") is not True, first.text
    again = await http.post(url, json=body)
    assert again.status_code == 409  # the same (timeStr, signature) pair: a replay
    forged_data = {**body, "data": {**data, "status": "delivered"}}
    assert (await http.post(url, json=forged_data)).status_code == 409  # a captured signature carries no new data
    fresh = str(int(now) - 1)
    redelivered = {**body, "verifyInfo": {"timeStr": fresh, "signature": sign(fresh, email)}}
    answer = await http.post(url, json=redelivered)  # the provider redelivering the same state, signed anew
    assert answer.status_code == 200 and answer.json()["duplicate"] is True, answer.text
    shipment = (await http.get(f"/v1/shipments/{world.alpha_shipment}", headers=bearer(world.alpha_read))).json()
    assert shipment["status"] == "in_transit"
    for endless in ("NaN", "1e400", "inf"):
        signed = {**body, "verifyInfo": {"timeStr": endless, "signature": sign(endless, email)}}
        assert (await http.post(url, json=signed)).status_code == 401, endless
    stale = str(int(time.time()) - 3600)
    old = {**body, "verifyInfo": {"timeStr": stale, "signature": sign(stale, email)}}
    assert (await http.post(url, json=old)).status_code == 401
    forged = {**body, "verifyInfo": {"timeStr": now, "signature": sign(now, "someone@else.example")}}
    assert (await http.post(url, json=forged)).status_code == 401
