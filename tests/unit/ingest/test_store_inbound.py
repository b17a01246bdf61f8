"""Pure parts of inbound from the store: SHOPLINE signature and payload parsing, paging links, ownership."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest

from parcelsync.domain.store_fulfillment import InboundSignatureError, StoreParcel
from parcelsync.ingest.store.ownership import Verdict, decide, effective_source_of_truth, same_set
from parcelsync.providers.shopline.store_api import next_page_info
from parcelsync.providers.shopline.webhook import (
    WebhookPayloadError,
    parse_fulfillment,
    payment_reference,
    sign,
    verify,
)

SECRET = "shpss_test_secret"
BODY = json.dumps({"id": "f1", "order_id": "o1", "tracking_info_list": []}).encode()


def _headers(signature: str | None, webhook_id: str = "b54557e48a5fbf7d70bcd043") -> dict[str, str]:
    headers = {"X-Shopline-Topic": "Fulfillments/Update", "X-Shopline-Webhook-Id": webhook_id}
    if signature is not None:
        headers["X-Shopline-Hmac-Sha256"] = signature
    return headers


def test_signature_is_base64_hmac_sha256_of_the_raw_body() -> None:
    expected = base64.b64encode(hmac.new(SECRET.encode(), BODY, hashlib.sha256).digest()).decode()
    assert sign(BODY, SECRET) == expected
    envelope = verify(BODY, _headers(expected), SECRET)
    assert (envelope.webhook_id, envelope.topic) == ("b54557e48a5fbf7d70bcd043", "fulfillments/update")


@pytest.mark.parametrize(
    "signature",
    [None, "", sign(BODY, "other"), sign(BODY + b" ", SECRET), hashlib.sha256(BODY).hexdigest(), "%%%"],
)
def test_missing_wrong_or_malformed_signatures_are_rejected(signature: str | None) -> None:
    with pytest.raises(InboundSignatureError):
        verify(BODY, _headers(signature), SECRET)


def test_a_signed_message_needs_a_webhook_id() -> None:
    with pytest.raises(WebhookPayloadError):
        verify(BODY, _headers(sign(BODY, SECRET), webhook_id=""), SECRET)


def test_no_secret_verifies_nothing() -> None:
    with pytest.raises(InboundSignatureError):
        verify(BODY, _headers(sign(BODY, "")), "")


def test_parse_reads_the_list_drops_duplicates_and_other() -> None:
    found = parse_fulfillment({
        "id": 5001, "order_id": 1001,
        "tracking_info_list": [
            {"tracking_company": "Other", "tracking_number": "LX000000116CN", "tracking_url": ""},
            {"tracking_company": "UPS", "tracking_number": "1Z5R89390357567127"},
            {"tracking_company": "UPS", "tracking_number": "1Z5R89390357567127"},
        ],
        "pay_channel_deal_id": "pi_3Mtw",
    })
    assert (found.order_id, found.fulfillment_id, found.payment_reference) == ("1001", "5001", "pi_3Mtw")
    assert found.parcels == (StoreParcel("LX000000116CN", None, None), StoreParcel("1Z5R89390357567127", "UPS", None))


def test_parse_falls_back_to_the_single_fields_and_the_order() -> None:
    order = {"id": "o9", "email": "a@example.com", "shipping_address": {"country_code": "US", "name": "Ann"},
             "payment_details": [{"pay_channel_deal_id": "pi_x", "pay_status": "paid_failed"},
                                 {"pay_channel_deal_id": "pi_y", "pay_status": "paid"}]}
    found = parse_fulfillment({"id": "f9", "tracking_number": "ABC123", "tracking_company": "4PX"}, order)
    assert found.order_id == "o9" and found.parcels == (StoreParcel("ABC123", "4PX", None),)
    assert (found.payment_reference, found.customer_email, found.destination_country) == ("pi_y", "a@example.com", "US")
    assert payment_reference({}) is None


def test_parse_rejects_what_is_not_a_fulfillment() -> None:
    for payload in ({"order_id": "o"}, {"id": "f"}, []):
        with pytest.raises(WebhookPayloadError):
            parse_fulfillment(payload)


def test_next_page_info_reads_the_rel_next_link() -> None:
    link = ('<https://s.myshopline.com/admin/openapi/v20260301/orders.json?limit=100&page_info=abc>; rel="previous", '
            '<https://s.myshopline.com/admin/openapi/v20260301/orders.json?limit=100&page_info=def%3D>; rel="next"')
    assert next_page_info(link) == "def="
    assert next_page_info(link.split(", ")[0]) is None
    assert next_page_info(None) is None


A, B, C = StoreParcel("LX1", "China Post", None), StoreParcel("LX2", None, None), StoreParcel("LX3", None, None)


@pytest.mark.parametrize(
    ("store", "hub", "last_sent", "in_flight", "truth", "verdict"),
    [
        ((A, B), (A, B), None, False, "store", Verdict.SAME),
        ((A,), (A, B), (A,), False, "store", Verdict.ECHO),
        ((A, C), (A, B), None, True, "store", Verdict.IN_FLIGHT),
        ((A,), (), None, False, "hub", Verdict.NEW),
        ((A, C), (A, B), (A, B), False, "store", Verdict.STORE_WINS),
        ((A, C), (A, B), (A, B), False, "hub", Verdict.HUB_WINS),
        ((), (A,), (A,), False, "store", Verdict.STORE_WINS),
    ],
)
def test_ownership_decision(store: tuple[StoreParcel, ...], hub: tuple[StoreParcel, ...],
                            last_sent: tuple[StoreParcel, ...] | None, in_flight: bool, truth: str,
                            verdict: Verdict) -> None:
    assert decide(store, hub, last_sent=last_sent, in_flight=in_flight, source_of_truth=truth).verdict is verdict


def test_same_set_ignores_blanks_and_number_formatting_but_not_changes() -> None:
    hub = (StoreParcel("LX000000116CN", "China Post", "https://t/1"),)
    assert same_set((StoreParcel("lx-000000116cn", None, None),), hub)
    assert not same_set((StoreParcel("LX000000116CN", "UPS", None),), hub)
    assert not same_set((StoreParcel("LX000000116CN", None, "https://other"),), hub)


def test_source_of_truth_defaults_to_store_while_inbound_is_on() -> None:
    assert effective_source_of_truth({}, True) == "store"
    assert effective_source_of_truth({}, False) == "hub"
    assert effective_source_of_truth({"source_of_truth": "hub"}, True) == "hub"


def test_connection_options_validate_inbound_and_source_of_truth() -> None:
    from parcelsync.domain.provider import Provider
    from parcelsync.ingest.connection_input import check_options
    from parcelsync.ingest.errors import InvalidInput

    assert check_options(Provider.SHOPLINE, {"inbound": True, "source_of_truth": "hub"}, fill_defaults=False) == {
        "inbound": True, "source_of_truth": "hub",
    }
    with pytest.raises(InvalidInput) as caught:
        check_options(Provider.SHOPLINE, {"source_of_truth": "warehouse"}, fill_defaults=False)
    assert [e.field for e in caught.value.errors] == ["options.source_of_truth"]


def test_inbound_is_a_capability_store_connectors_declare() -> None:
    from parcelsync.connectors.record import Kind
    from parcelsync.connectors.registry import all_connectors, inbound_source, with_inbound

    declared = list(with_inbound())
    assert [c.id for c in declared] == ["shopline"]
    assert all(c.kind is Kind.STORE for c in declared)
    assert inbound_source("shopline") is declared[0].inbound
    assert inbound_source("useepay") is None and inbound_source("nosuchstore") is None
    assert {c.id for c in all_connectors() if c.inbound is None} == {"useepay", "paypal", "trackingmore", "aftership"}
