"""The public tracking page over HTTP: lookup, token links, tenancy, privacy, headers, languages, JSON and CORS."""

from __future__ import annotations

import re
import time

import pytest
from tests.integration.tracking_page.conftest import MERCHANT, MISS_FLOOR_MS, OTHER, Site

from parcelsync.tracking_page.sample import DELIVERED_NUMBER, EMAIL, EXCEPTION_NUMBER, ORDER

pytestmark = pytest.mark.anyio
NONCE = re.compile(r"nonce-[A-Za-z0-9_-]+|nonce=\"[A-Za-z0-9_-]+\"")


async def _lookup(site: Site, order: str = ORDER, email: str = EMAIL, merchant: str = MERCHANT):  # type: ignore[no-untyped-def]
    return await site.client.post(f"/track/{merchant}", data={"order_number": order, "email": email})


async def _token(site: Site) -> str:
    response = await _lookup(site)
    assert response.status_code == 303, response.text
    return response.headers["location"].rsplit("/", 1)[1]


async def test_lookup_redirects_to_the_order_page_with_every_parcel(site: Site) -> None:
    response = await _lookup(site, f"  {ORDER} ", EMAIL.upper())
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith(f"/track/{MERCHANT}/")
    token = location.rsplit("/", 1)[1]
    assert ORDER not in token and "olivia" not in token.lower() and "@" not in token
    page = await site.client.get(location)
    assert page.status_code == 200
    html = page.text
    assert DELIVERED_NUMBER in html and EXCEPTION_NUMBER in html
    assert "Northwind Goods" in html  # the display name, not the merchant's legal name
    assert "https://www.ups.com/track?" in html or "ups.com" in html  # the carrier's own tracking link
    assert "Held by customs: import duties unpaid" in html  # checkpoint text as received
    assert 'class="step problem"' in html  # the exception marked on the bar
    assert "Delivery attempt failed" in html  # the failed attempt marked in the timeline
    assert "Delivered on" in html
    for private in (EMAIL, EMAIL.lower(), "Olivia Martin", "555 0199", "212"):
        assert private not in html


async def test_every_miss_answers_the_same_and_takes_the_floor(site: Site) -> None:
    answers = []
    for order, email, merchant in [
        (ORDER, "someone@example.com", MERCHANT),  # wrong e-mail
        ("TP-9999", EMAIL, MERCHANT),  # no such order
        (ORDER, "someone.else@example.org", MERCHANT),  # the other merchant's buyer
        (ORDER[:-1], EMAIL, MERCHANT),  # a prefix of the order number
        (ORDER, EMAIL + "x", MERCHANT),
    ]:
        started = time.monotonic()
        response = await _lookup(site, order, email, merchant)
        elapsed_ms = (time.monotonic() - started) * 1000
        assert response.status_code == 404
        assert elapsed_ms >= MISS_FLOOR_MS * 0.95
        body = NONCE.sub("", response.text)
        answers.append(body.replace(f'value="{order}"', "").replace(f'value="{email}"', ""))
        assert "We could not find an order" in response.text
    assert len(set(answers)) == 1


async def test_a_token_only_opens_its_own_merchants_order(site: Site) -> None:
    token = await _token(site)
    assert (await site.client.get(f"/track/{MERCHANT}/{token}")).status_code == 200
    other = await site.client.get(f"/track/{OTHER}/{token}")
    assert other.status_code == 404
    assert "Other shop's order" not in other.text and DELIVERED_NUMBER not in other.text
    forged = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    assert (await site.client.get(f"/track/{MERCHANT}/{forged}")).status_code == 404
    assert (await site.client.get(f"/track/{MERCHANT}/{ORDER}")).status_code == 404
    assert (await site.client.get(f"/track/{MERCHANT}/api/orders/{token}")).status_code == 200
    assert (await site.client.get(f"/track/{OTHER}/api/orders/{token}")).status_code == 404


async def test_public_headers_are_strict(site: Site) -> None:
    token = await _token(site)
    for path in (f"/track/{MERCHANT}", f"/track/{MERCHANT}/{token}", f"/track/{MERCHANT}/nope"):
        response = await site.client.get(path)
        csp = response.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert "noindex" in response.headers["x-robots-tag"]
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["cache-control"] == "no-store"
        assert '<meta name="robots" content="noindex' in response.text
        assert response.headers["x-frame-options"] == "DENY"  # no embedding unless the merchant lists origins


async def test_frame_ancestors_and_cors_follow_the_merchants_settings(site: Site) -> None:
    put = await site.client.put(
        f"/v1/merchants/{MERCHANT}/tracking-page",
        headers=site.admin_headers,
        json={
            "frame_ancestors": ["https://shop.northwind.example"],
            "cors_origins": ["https://shop.northwind.example/"],
        },
    )
    assert put.status_code == 200, put.text
    token = await _token(site)
    page = await site.client.get(f"/track/{MERCHANT}/{token}")
    assert "frame-ancestors https://shop.northwind.example" in page.headers["content-security-policy"]
    assert "x-frame-options" not in page.headers
    allowed = await site.client.get(
        f"/track/{MERCHANT}/api/orders/{token}", headers={"Origin": "https://shop.northwind.example"}
    )
    assert allowed.headers["access-control-allow-origin"] == "https://shop.northwind.example"
    denied = await site.client.get(f"/track/{MERCHANT}/api/orders/{token}", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in denied.headers
    preflight = await site.client.options(
        f"/track/{MERCHANT}/api/lookup",
        headers={"Origin": "https://shop.northwind.example", "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-origin"] == "https://shop.northwind.example"
    other = await site.client.get(f"/track/{OTHER}/api/orders/x", headers={"Origin": "https://shop.northwind.example"})
    assert "access-control-allow-origin" not in other.headers


async def test_json_lookup_has_the_same_rules(site: Site) -> None:
    hit = await site.client.post(f"/track/{MERCHANT}/api/lookup", json={"order_number": ORDER, "email": EMAIL.lower()})
    assert hit.status_code == 200
    body = hit.json()
    assert body["page_url"].startswith(f"https://track.example.com/track/{MERCHANT}/")
    parcels = {p["tracking_number"]: p for p in body["order"]["parcels"]}
    assert parcels[DELIVERED_NUMBER]["status"] == "delivered"
    assert parcels[EXCEPTION_NUMBER]["progress"] == {"step": "in_transit", "marker": "exception"}
    assert parcels[DELIVERED_NUMBER]["carrier_tracking_url"]
    assert EMAIL.lower() not in hit.text.lower() and "555" not in hit.text
    misses = [
        await site.client.post(f"/track/{MERCHANT}/api/lookup", json={"order_number": ORDER, "email": "x@example.com"}),
        await site.client.post(f"/track/{MERCHANT}/api/lookup", json={"order_number": "nope", "email": EMAIL}),
        await site.client.post("/track/no-such-shop/api/lookup", json={"order_number": ORDER, "email": EMAIL}),
    ]
    assert {m.status_code for m in misses} == {404}
    assert len({m.text for m in misses}) == 1


async def test_language_from_accept_language_and_the_switcher(site: Site) -> None:
    token = await _token(site)
    path = f"/track/{MERCHANT}/{token}"
    ja = await site.client.get(path, headers={"Accept-Language": "ja-JP,ja;q=0.9,en;q=0.5"})
    assert '<html lang="ja">' in ja.text and "配達済み" in ja.text
    assert "Delivered, front door" in ja.text  # checkpoint texts stay as received
    de = await site.client.get(path + "?lang=de", headers={"Accept-Language": "ja"})
    assert '<html lang="de">' in de.text and "Zugestellt" in de.text
    remembered = await site.client.get(path, headers={"Accept-Language": "ja"})
    assert '<html lang="de">' in remembered.text  # the switcher's choice is kept in a cookie
    zh = await site.client.get(path + "?lang=zh-Hans")
    assert "已签收" in zh.text and "年" in zh.text  # dates in Chinese form
    json_fr = await site.client.get(f"/track/{MERCHANT}/api/orders/{token}?lang=fr")
    labels = {p["status_label"] for p in json_fr.json()["order"]["parcels"]}
    assert labels == {"Livré", "Problème de livraison"}


async def test_times_are_shown_in_the_buyers_zone(site: Site) -> None:
    token = await _token(site)
    tokyo = await site.client.get(f"/track/{MERCHANT}/{token}?tz=Asia/Tokyo")
    assert "Tokyo" in tokyo.text or "日本" in tokyo.text
    default = await site.client.get(f"/track/{MERCHANT}/{token}?tz=Not/AZone")
    assert "New York" in default.text  # the destination country's zone when the browser's is unknown


async def test_unknown_merchant_is_not_found(site: Site) -> None:
    assert (await site.client.get("/track/no-such-shop")).status_code == 404
    assert (await site.client.get("/track/" + "x" * 300)).status_code == 404
