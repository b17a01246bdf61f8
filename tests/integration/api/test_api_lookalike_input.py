"""Look-alike carriers make one shipment; control characters are the same 422 on SQLite and PostgreSQL
(PostgreSQL cannot store NUL in text: without the rule this was a 500 there)."""

from __future__ import annotations

import httpx
import pytest

pytestmark = pytest.mark.anyio

NUMBER = "ABCD12345"


def _fields(response: httpx.Response) -> list[str]:
    return [f["field"] for f in response.json()["error"]["fields"]]


async def test_four_spellings_of_one_carrier_are_one_shipment(merchant: httpx.AsyncClient) -> None:
    ids = set()
    for carrier in ("4px", "4px\u200b", "4\uff50x", "４ｐｘ"):
        answer = await merchant.post("/v1/shipments", json={"tracking_number": NUMBER, "carrier": carrier})
        assert answer.status_code in (200, 201), answer.text
        assert answer.json()["shipment"]["carrier"] == "4px"
        ids.add(answer.json()["shipment"]["id"])
    assert len(ids) == 1
    listed = await merchant.get("/v1/shipments", params={"carrier": "4px"})
    assert len(listed.json()["items"]) == 1


async def test_a_carrier_mixing_latin_and_cyrillic_is_refused(merchant: httpx.AsyncClient) -> None:
    answer = await merchant.post("/v1/shipments", json={"tracking_number": NUMBER, "carrier": "4p\u0445"})
    assert answer.status_code == 422 and _fields(answer) == ["carrier"]


@pytest.mark.parametrize("field", ["tracking_number", "carrier", "title", "order_id", "customer_name"])
async def test_nul_is_a_422_naming_the_field(merchant: httpx.AsyncClient, field: str) -> None:
    body = {"tracking_number": NUMBER, "carrier": "4px", field: "bad\x00value"}
    answer = await merchant.post("/v1/shipments", json=body)
    assert answer.status_code == 422, answer.text
    assert _fields(answer) == [field]


async def test_a_batch_item_with_nul_is_rejected_alone(merchant: httpx.AsyncClient) -> None:
    items = [
        {"tracking_number": NUMBER, "carrier": "4px", "title": "a\x00b"},
        {"tracking_number": "EFGH6789", "carrier": "4px"},
    ]
    answer = await merchant.post("/v1/shipments/batch", json={"items": items})
    assert answer.status_code in (200, 207), answer.text
    results = answer.json()["results"]
    assert results[0]["status"] == "rejected" and results[0]["errors"][0]["field"].endswith("title")
    assert results[1]["status"] == "created"


async def test_other_text_inputs_refuse_nul(merchant: httpx.AsyncClient) -> None:
    renamed = await merchant.patch("/v1/merchants/acme", json={"name": "Acme\x00Ltd"})
    assert renamed.status_code == 422 and _fields(renamed) == ["name"]
    hook = await merchant.post(
        "/v1/webhook-endpoints", json={"url": "https://hooks.example.com/in", "description": "x\x00"}
    )
    assert hook.status_code == 422 and _fields(hook) == ["description"]
    page = await merchant.put("/v1/merchants/acme/tracking-page", json={"display_name": "Acme\x00"})
    assert page.status_code == 422 and _fields(page) == ["display_name"]
    connection = await merchant.put(
        "/v1/merchants/acme/connections/trackingmore", json={"credentials": {"api_key": "key\x00"}}
    )
    assert connection.status_code == 422 and _fields(connection) == ["credentials.api_key"]


async def test_a_refused_pattern_is_explained_in_words_not_as_its_regex(merchant: httpx.AsyncClient) -> None:
    renamed = await merchant.patch("/v1/merchants/acme", json={"name": "Acme\x07Ltd"})
    reasons = [f["reason"] for f in renamed.json()["error"]["fields"]]
    assert renamed.status_code == 422 and reasons == ["needs a visible character and may not hold control characters"]
    blank = await merchant.patch("/v1/merchants/acme", json={"name": "   "})
    assert blank.status_code == 422 and "visible character" in blank.json()["error"]["fields"][0]["reason"]
    bad_id = await merchant.post("/v1/merchants", json={"id": "-acme", "name": "Acme"})
    assert bad_id.status_code == 422 and "starting with a letter or digit" in bad_id.text
