"""A large merchant's pages (risk index, SQL order) hold exactly what the live assessment lists, on both
databases: `LIVE_INTENTS` is lowered to 0 so these few intents take the large merchant's paths."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta

import pytest
from tests.integration.sync.sync_harness import MERCHANT, Hub, shipment

from parcelsync.alerts.payments import payments_at_risk
from parcelsync.payments import risk_cache, risk_index
from parcelsync.payments.paging import page_intents
from parcelsync.payments.queries import gateway_providers
from parcelsync.payments.service import (
    IntentFilter,
    at_risk_summary,
    at_risk_summary_if_ready,
    list_intents,
    summarize,
)

pytestmark = pytest.mark.anyio


def days_ago(n: int) -> str:
    return (date.today() - timedelta(days=n)).isoformat()


@pytest.fixture
def large() -> Iterator[None]:
    saved = risk_index.LIVE_INTENTS
    risk_index.LIVE_INTENTS = 0
    risk_cache.CACHE.clear()
    try:
        yield
    finally:
        risk_index.LIVE_INTENTS = saved
        risk_cache.CACHE.clear()


FILTERS = [
    IntentFilter(),
    IntentFilter(at_risk=True),
    IntentFilter(at_risk=False),
    IntentFilter(reason="parcel_exception"),
    IntentFilter(reason="late", min_age_hours=24 * 10),
    IntentFilter(min_age_hours=24 * 4),
    IntentFilter(max_age_hours=24 * 4),
    IntentFilter(min_age_hours=24 * 2, max_age_hours=24 * 50, at_risk=False),
    IntentFilter(state="rejected"),
    IntentFilter(state="rejected", gateway="useepay", min_age_hours=24 * 2),
    IntentFilter(state="rejected", at_risk=False),
    IntentFilter(state="not_sent"),
    IntentFilter(state="accepted"),
    IntentFilter(state="pending"),
    IntentFilter(gateway="useepay"),
    IntentFilter(gateway="useepay", at_risk=False),
    IntentFilter(gateway="paypal"),
    IntentFilter(gateway="nope"),
    IntentFilter(shipped_from=date.today() - timedelta(days=6), shipped_to=date.today()),
]


async def test_pages_totals_and_summaries_match_the_live_assessment(any_hub: Hub, large: None) -> None:
    hub = any_hub
    hub.sandboxes.useepay.add_merchant(
        hub.accounts.merchant_no, hub.accounts.app_id, hub.accounts.useepay_api_key, ["pi_000002", "pi_000003"]
    )
    await hub.upsert([
        shipment(1, intent=1, ship_date=days_ago(3), order_value="10.00", currency="USD"),
        shipment(2, intent=2, ship_date=days_ago(5), status="exception", order_value="5.00", currency="EUR"),
        shipment(3, intent=3, ship_date=days_ago(1)),
        shipment(4, intent=4, ship_date=days_ago(40), status="in_transit", order_value="7.50", currency="USD"),
        shipment(5, intent=4, ship_date=days_ago(2)),
        shipment(6, intent=5),
        shipment(7, intent=6, ship_date=(date.today() + timedelta(days=3)).isoformat()),
        shipment(8, payment_intent_id="PI_upper", ship_date=days_ago(3), status="failed_attempt"),
        shipment(9, payment_intent_id="pi_000007b", ship_date=days_ago(3)),
        shipment(10),
    ])
    await hub.drain(hub.worker())
    now = hub.clock()
    async with hub.sessions() as session:
        index = await risk_cache.risk_index(session, MERCHANT, now)
        assert index is not None and index.intents >= 8
        live_summary = summarize(await list_intents(session, MERCHANT, IntentFilter(at_risk=True), now))
        summary = await at_risk_summary(session, MERCHANT, now)
        assert replace(summary, as_of=None, intents=live_summary.intents) == live_summary
        assert await gateway_providers(session, MERCHANT) == ["useepay"]
        for flt in FILTERS:
            views = await list_intents(session, MERCHANT, flt, now)
            empty = flt.gateway in ("nope", "paypal") or flt.at_risk is False or flt.state in ("pending", "not_sent")
            assert views or empty, flt
            for limit, offset in [(100, 0), (2, 0), (2, 3), (3, 7), (5, 50)]:
                page = await page_intents(session, MERCHANT, flt, now, limit=limit, offset=offset)
                want = views[offset : offset + limit]
                assert [v.id for v in page.items] == [v.id for v in want], (flt, limit, offset)
                assert [v.reasons for v in page.items] == [v.reasons for v in want], flt
                assert page.total == len(views), flt
                assert replace(page.summary, as_of=None) == summarize(views), flt
        chunked = await payments_at_risk(session, MERCHANT, now=now)
        risk_index.LIVE_INTENTS = 10**9
        assert chunked and chunked == await payments_at_risk(session, MERCHANT, now=now)


async def test_the_overview_never_waits_for_a_large_merchants_first_index(any_hub: Hub, large: None) -> None:
    hub = any_hub
    await hub.upsert([shipment(1, intent=1, ship_date=days_ago(3), status="exception")])
    async with hub.sessions() as session:
        assert await at_risk_summary_if_ready(session, MERCHANT, hub.clock()) is None
    await risk_cache.CACHE.settled()
    async with hub.sessions() as session:
        ready = await at_risk_summary_if_ready(session, MERCHANT, hub.clock())
    assert ready is not None and ready.at_risk == 1 and ready.as_of is not None
