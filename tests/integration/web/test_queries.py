"""The dashboard's aggregates against a brute-force computation over the seeded rows."""

from __future__ import annotations

import math
from collections import Counter

import pytest
from sqlalchemy import select
from tests.integration.web.conftest import Dash
from tests.integration.web.seed_data import MERCHANT, SECRET_API_KEY

from parcelsync.db.engine import unit_of_work
from parcelsync.db.tables import ShipmentRow
from parcelsync.web import queries, search
from parcelsync.web.formatting import summary_rows


def test_percentile_is_nearest_rank_over_a_histogram() -> None:
    hist = [(1, 5), (2, 3), (9, 2)]  # 1,1,1,1,1,2,2,2,9,9
    assert queries.percentile(hist, 0.5) == 1.0
    assert queries.percentile(hist, 0.6) == 2.0
    assert queries.percentile(hist, 0.9) == 9.0
    assert queries.percentile([], 0.5) == 0.0


def test_summary_rows_flatten_and_mask_secrets() -> None:
    rows = dict(summary_rows({"headers": {"x-api-key": SECRET_API_KEY}, "items": [{"n": 1}, {"n": 2}], "ok": True}))
    assert rows["headers.x-api-key"] == "***"
    assert rows["items[2].n"] == "2"
    assert rows["Ok"] == "yes"
    assert SECRET_API_KEY not in str(rows)


@pytest.mark.anyio
async def test_aggregates_match_a_brute_force_count(dash: Dash) -> None:
    async with unit_of_work(dash.app.state.runtime.sessions) as session:
        rows = list(await session.scalars(select(ShipmentRow).where(ShipmentRow.merchant_id == MERCHANT)))
        stats = await queries.parcel_stats(session, MERCHANT)
        carriers = await search.carriers_in_use(session, MERCHANT)
    assert sum(stats.counts.values()) == len(rows)
    assert stats.counts["delivered"] == sum(r.status == "delivered" for r in rows)
    assert sum(d.shipped for d in stats.days) == sum(r.ship_date is not None for r in rows)
    assert carriers == sorted({r.carrier for r in rows})
    for entry in stats.times:
        days = sorted(
            (r.delivered_at.date() - r.ship_date).days
            for r in rows
            if r.carrier == entry.carrier and r.delivered_at is not None and r.ship_date is not None
        )
        assert entry.count == len(days)
        assert entry.median_days == days[math.ceil(len(days) * 0.5) - 1]
        assert entry.p90_days == days[math.ceil(len(days) * 0.9) - 1]
    assert Counter(r.carrier for r in rows if r.delivered_at) == {t.carrier: t.count for t in stats.times}
