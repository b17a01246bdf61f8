"""Client <-> sandbox round trips through httpx.ASGITransport."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from tests.integration.useepay.useepay_support import API_KEY, INTENTS, MERCHANT_NO, tracker

from parcelsync.providers.errors import NotFound, RateLimited, Rejected
from parcelsync.providers.useepay import UseePayClient
from parcelsync.sandbox.faults import FaultConfig
from parcelsync.sandbox.useepay import UseePayState

pytestmark = pytest.mark.anyio


async def test_45_intents_go_out_as_three_calls_of_20_20_5(
    client: UseePayClient, state: UseePayState, http: httpx.AsyncClient
) -> None:
    trackers = [tracker(intent, f"1Z{n:06d}") for n, intent in enumerate(INTENTS[:45])]
    outcomes = await client.upload_trackers(trackers, {"run": "bulk"})
    assert [o.payment_intent_id for o in outcomes] == list(INTENTS[:45])
    assert all(o.accepted for o in outcomes)
    uploads = state.log.matching("POST", "/api/v2/shipping/trackers")
    assert [len(r.body["trackers"]) for r in uploads] == [20, 20, 5]
    assert [t["payment_intent_id"] for r in uploads for t in r.body["trackers"]] == list(INTENTS[:45])
    log = (await http.get("/_sandbox/requests")).json()
    assert log["count"] == 3 and log["batch_sizes"] == [20, 20, 5]
    assert len(state.all_trackers(MERCHANT_NO)) == 45


async def test_repeat_upload_replaces_shipments(client: UseePayClient, state: UseePayState) -> None:
    intent = INTENTS[0]
    await client.upload_trackers([tracker(intent, "1ZAAA", "1ZBBB")])
    await client.upload_trackers([tracker(intent, "1ZBBB", "1ZCCC")])
    [stored] = state.all_trackers()
    assert [s["tracking_number"] for s in stored.shipments] == ["1ZBBB", "1ZCCC"]
    assert stored.writes == 2
    retrieved = await client.retrieve_tracker(intent)
    assert [s.tracking_number for s in retrieved.shipments] == ["1ZBBB", "1ZCCC"]
    assert retrieved.payment_intent_id == intent


async def test_one_rejected_intent_leaves_its_neighbours_accepted(client: UseePayClient, state: UseePayState) -> None:
    trackers = [tracker(INTENTS[0], "1Z1"), tracker("9999999999", "1Z2"), tracker(INTENTS[2], "1Z3")]
    result = await client.upload_batch(trackers)
    assert [(o.payment_intent_id, o.accepted) for o in result.outcomes] == [
        (INTENTS[0], True),
        ("9999999999", False),
        (INTENTS[2], True),
    ]
    rejected = result.outcomes[1]
    assert isinstance(rejected.error, Rejected) and rejected.error.field == "payment_intent_id"
    assert rejected.reason is not None and "9999999999" in rejected.reason
    assert {t.payment_intent_id for t in state.all_trackers()} == {INTENTS[0], INTENTS[2]}
    assert result.summary["response"]["rejected"][0]["payment_intent_id"] == "9999999999"


async def test_meta_data_is_echoed_and_summary_is_redacted(client: UseePayClient) -> None:
    result = await client.upload_batch([tracker(INTENTS[1])], {"id": 1, "note": "x"})
    assert result.status_code == 200
    assert result.summary["request"]["meta_data"] == {"id": 1, "note": "x"}
    assert result.summary["response"]["code"] == "0000"
    assert result.summary["response"]["accepted"] == [INTENTS[1]]
    assert API_KEY not in repr(result.summary)


async def test_retrieve_unknown_tracker_is_not_found(client: UseePayClient) -> None:
    with pytest.raises(NotFound) as info:
        await client.retrieve_tracker(INTENTS[5])
    assert info.value.status_code == 404 and info.value.field == "payment_intent_id"


async def test_a_failed_chunk_fails_only_its_own_intents(client: UseePayClient, state: UseePayState) -> None:
    state.faults.configure(FaultConfig(rate_limit_burst=1, retry_after=3))
    outcomes = await client.upload_trackers([tracker(intent) for intent in INTENTS[:25]])
    first, rest = outcomes[:20], outcomes[20:]
    assert all(not o.accepted and isinstance(o.error, RateLimited) for o in first)
    assert all(o.reason for o in first)
    assert all(o.accepted for o in rest) and len(rest) == 5
    assert {t.payment_intent_id for t in state.all_trackers()} == set(INTENTS[20:25])


async def test_intents_are_per_merchant(make_client: Callable[..., UseePayClient], state: UseePayState) -> None:
    state.add_merchant("500000000000002", "other.example", "UseePay_SK_other_key_123456")
    other = make_client(merchant_no="500000000000002", app_id="other.example", api_key="UseePay_SK_other_key_123456")
    [outcome] = await other.upload_trackers([tracker(INTENTS[0])])
    assert not outcome.accepted
    state.add_payment_intents("500000000000002", [INTENTS[0]])
    [outcome] = await other.upload_trackers([tracker(INTENTS[0])])
    assert outcome.accepted
    assert [t.merchant_no for t in state.all_trackers()] == ["500000000000002"]
