"""Sandboxes misbehaving (30% 5xx, 429 bursts): everything converges, nothing is lost or given up."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from tests.integration.sync.sync_harness import Hub, assert_sandboxes_match_hub, shipment

from parcelsync.db.tables import AuditRow, ConnectionRow
from parcelsync.sandbox.faults import FaultConfig

pytestmark = pytest.mark.anyio


def break_sandboxes(hub: Hub, *, seed: int, burst: int = 3) -> None:
    """30% 503s after a burst of 429s, on all three; UseePay's seed makes its few calls meet a 503 early."""
    def config(s: int) -> FaultConfig:
        return FaultConfig(error_rate=0.3, error_status=503, rate_limit_burst=burst, retry_after=2, seed=s)

    hub.sandboxes.useepay.faults.configure(config(7))
    hub.sandboxes.shopline.faults.configure(config(seed + 1))
    hub.sandboxes.trackingmore.faults.configure(config(seed + 2))


async def test_flaky_sandboxes_converge_without_permanent_failures(hub: Hub) -> None:
    items = [shipment(i, intent=i % 60, order=i % 45) for i in range(200)]
    await hub.upsert(items[:150])
    break_sandboxes(hub, seed=11)
    worker = hub.worker()
    await worker.run_once()
    await hub.upsert(items[150:])  # more work lands mid-run, and a second 429 burst with it
    break_sandboxes(hub, seed=12)
    await hub.drain(worker, step_s=3)

    targets = await hub.targets()
    assert {t.state for t in targets} == {"synced"}
    assert all(t.acked_version == t.desired_version for t in targets)
    await assert_sandboxes_match_hub(hub)

    injected = [hub.sandboxes.useepay.faults.injected, hub.sandboxes.shopline.faults.injected,
                hub.sandboxes.trackingmore.faults.injected]
    assert all(i.get("503", 0) > 0 and i.get("429", 0) > 0 for i in injected), injected
    async with hub.sessions() as session:
        audit = list((await session.scalars(select(AuditRow))).all())
        statuses = {a.status for a in audit}
        assert {429, 503} <= statuses
        connections = list((await session.scalars(select(ConnectionRow))).all())
    # a 429 paused its connection; the pause was lifted once calls went through again
    assert all(c.pause_reason is None for c in connections)


async def test_rate_limit_pauses_the_whole_connection_with_a_reason(hub: Hub) -> None:
    await hub.upsert([shipment(i, intent=i) for i in range(30)])
    hub.sandboxes.useepay.faults.configure(FaultConfig(rate_limit_burst=1, retry_after=120))
    worker = hub.worker(concurrency=1)
    await worker.run_once()
    async with hub.sessions() as session:
        useepay = await session.scalar(select(ConnectionRow).where(ConnectionRow.provider == "useepay"))
    assert useepay is not None and useepay.paused_until is not None
    assert "rate limited" in (useepay.pause_reason or "")
    assert (useepay.paused_until - hub.clock()).total_seconds() > 100
    pending = [t for t in await hub.targets("useepay") if t.state == "pending"]
    assert len(pending) == 30  # the first batch was rescheduled, the second never claimed
    assert all(t.attempts == 0 for t in pending)  # a 429 does not use up attempts
    assert len(hub.sandboxes.useepay.log.items) == 1
    hub.clock.advance(121)
    await worker.run_once()
    assert {t.state for t in await hub.targets("useepay")} == {"synced"}
