"""Transit statistics and expected windows, as pure functions."""

from __future__ import annotations

from datetime import date

from parcelsync.expected.transit import compute_stats, describe, expected_delivery, percentile, transit_days


def test_percentiles_are_nearest_rank() -> None:
    values = list(range(1, 11))
    assert (percentile(values, 0.5), percentile(values, 0.9), percentile([4], 0.9)) == (5, 9, 4)


def test_lane_else_carrier_else_none_and_only_with_enough_samples() -> None:
    samples = [("ups", "US", d) for d in (3, 4, 4, 5, 9)] + [("ups", "GB", 6)] + [("dhl", "DE", 2)] * 4
    stats = {(s.carrier, s.destination_country): s for s in compute_stats(samples, min_samples=5)}
    assert set(stats) == {("ups", "US"), ("ups", "")}
    assert (stats[("ups", "US")].median_days, stats[("ups", "US")].p90_days) == (4, 9)
    shipped = date(2026, 12, 1)
    lane = expected_delivery(shipped, "ups", "US", stats)
    assert (lane.earliest, lane.latest, lane.basis) == (date(2026, 12, 5), date(2026, 12, 10), "lane")
    assert expected_delivery(shipped, "ups", "GB", stats).basis == "carrier"
    assert expected_delivery(shipped, "dhl", "DE", stats).basis == "none"
    assert expected_delivery(None, "ups", "US", stats).basis == "none"
    assert describe(lane) == "2026-12-05 – 2026-12-10 (lane)"


def test_impossible_transits_are_dropped() -> None:
    assert transit_days(date(2026, 1, 10), date(2026, 1, 1)) is None
    assert transit_days(date(2025, 1, 1), date(2026, 1, 1)) is None
    assert transit_days(date(2026, 1, 1), date(2026, 1, 4)) == 3
