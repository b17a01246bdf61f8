"""Outbox SQL on SQLite and PostgreSQL: grouping, leases, pauses, acks racing edits, concurrent claimers."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import update
from tests.integration.sync.sync_harness import MERCHANT, Hub, shipment

from parcelsync.db.engine import unit_of_work
from parcelsync.db.tables import ConnectionRow, SyncTargetRow
from parcelsync.domain.provider import Provider
from parcelsync.sync import outbox
from parcelsync.sync.keys import key_for
from parcelsync.sync.outbox import BATCH_SIZES, Claim, Outbox
from parcelsync.sync.planner import bump_targets

pytestmark = pytest.mark.anyio


async def claim(hub: Hub, box: Outbox, seconds: float = 0.0) -> Claim | None:
    async with unit_of_work(hub.sessions) as session:
        return await box.claim(session, hub.clock() + timedelta(seconds=seconds))


async def test_claims_group_one_connection_up_to_its_batch_size(any_hub: Hub) -> None:
    hub = any_hub
    await hub.upsert([shipment(i, intent=i, order=i) for i in range(50)])
    box = Outbox(owner="w1", lease_seconds=60)
    seen: list[int] = []
    while (c := await claim(hub, box)) is not None:
        assert 1 <= len(c.targets) <= BATCH_SIZES[c.provider]
        assert c.merchant_id == MERCHANT
        seen += [t.id for t in c.targets]
    assert len(seen) == len(set(seen)) == 150
    assert {t.lease_owner for t in await hub.targets()} == {"w1"}


async def test_paused_connection_is_not_claimed(any_hub: Hub) -> None:
    hub = any_hub
    await hub.upsert([shipment(1, intent=1)])
    async with unit_of_work(hub.sessions) as session:
        await outbox.pause_connection(
            session, MERCHANT, Provider.USEEPAY, until=hub.clock() + timedelta(minutes=5), reason="rate limited"
        )
        await session.execute(
            update(ConnectionRow).where(ConnectionRow.provider == "trackingmore").values(enabled=False)
        )
    box = Outbox(owner="w1", lease_seconds=60)
    assert await claim(hub, box) is None
    c = await claim(hub, box, seconds=301)
    assert c is not None and c.provider is Provider.USEEPAY


async def test_expired_lease_is_claimed_again_and_the_old_owner_cannot_ack(any_hub: Hub) -> None:
    hub = any_hub
    await hub.upsert([shipment(1, intent=1)])
    first = Outbox(owner="crashed", lease_seconds=30)
    second = Outbox(owner="healthy", lease_seconds=30)
    got = [c for c in [await claim(hub, first), await claim(hub, first)] if c]
    assert len(got) == 2
    assert await claim(hub, second, seconds=10) is None  # leases still live
    again = [c for c in [await claim(hub, second, 31), await claim(hub, second, 31)] if c]
    assert sorted(t.id for c in again for t in c.targets) == sorted(t.id for c in got for t in c.targets)
    target = got[0].targets[0]
    async with unit_of_work(hub.sessions) as session:
        assert not await outbox.ack(
            session, target.id, owner="crashed", sent_version=target.desired_version, now=hub.clock(), outcome={}
        )
        assert await outbox.ack(
            session, target.id, owner="healthy", sent_version=target.desired_version, now=hub.clock(), outcome={}
        )


async def test_an_edit_during_the_call_keeps_the_target_pending(any_hub: Hub) -> None:
    hub = any_hub
    await hub.upsert([shipment(1, intent=1)])
    async with unit_of_work(hub.sessions) as session:
        await session.execute(update(ConnectionRow).where(ConnectionRow.provider != "useepay").values(enabled=False))
    box = Outbox(owner="w1", lease_seconds=60)
    c = await claim(hub, box)
    assert c is not None
    sent = c.targets[0]
    async with unit_of_work(hub.sessions) as session:
        await bump_targets(session, MERCHANT, [key_for(Provider.USEEPAY, "pi_000001")])
    async with unit_of_work(hub.sessions) as session:
        await outbox.ack(session, sent.id, owner="w1", sent_version=sent.desired_version, now=hub.clock(), outcome={})
    (row,) = await hub.targets("useepay")
    assert (row.state, row.acked_version, row.desired_version) == ("pending", 1, 2)
    again = await claim(hub, box)
    assert again is not None and again.targets[0].desired_version == 2
    async with unit_of_work(hub.sessions) as session:
        await outbox.give_up(
            session, sent.id, owner="w1", state="parked", sent_version=2, reason="bad", now=hub.clock(), outcome={}
        )
    (row,) = await hub.targets("useepay")
    assert (row.state, row.reason) == ("parked", "bad")
    async with unit_of_work(hub.sessions) as session:
        assert await outbox.replay(session, now=hub.clock(), provider=Provider.USEEPAY) == [row.id]
    (row,) = await hub.targets("useepay")
    assert (row.state, row.attempts, row.reason) == ("pending", 0, None)


async def test_concurrent_claimers_never_share_a_target(any_hub: Hub) -> None:
    hub = any_hub
    await hub.upsert([shipment(i, intent=i, order=i) for i in range(120)])
    boxes = [Outbox(owner=f"w{i}", lease_seconds=60) for i in range(6)]
    taken: dict[int, str] = {}

    async def run(box: Outbox) -> None:
        while (c := await claim(hub, box)) is not None:
            for t in c.targets:
                assert t.id not in taken, f"{t.id} claimed by {taken[t.id]} and {box.owner}"
                taken[t.id] = box.owner
            await asyncio.sleep(0)

    await asyncio.gather(*(run(b) for b in boxes))
    assert len(taken) == 360
    rows = await hub.targets()
    assert all(taken[r.id] == r.lease_owner for r in rows)


async def test_a_slow_call_keeps_its_lease_alive(hub: Hub) -> None:
    from parcelsync.sandbox.faults import FaultConfig

    async with unit_of_work(hub.sessions) as session:
        await session.execute(update(ConnectionRow).where(ConnectionRow.provider != "useepay").values(enabled=False))
    await hub.upsert([shipment(1, intent=1)])
    hub.sandboxes.useepay.faults.configure(FaultConfig(latency_ms=1500))
    hub.settings = hub.settings.model_copy(update={"lease_seconds": 0.6})
    worker = hub.worker()
    step = asyncio.create_task(worker.step())
    await asyncio.sleep(1.0)  # the first lease has run out by now; the heartbeat renewed it
    assert await claim(hub, Outbox(owner="thief", lease_seconds=0.6)) is None
    assert await step
    (row,) = await hub.targets("useepay")
    assert row.state == "synced" and len(hub.sandboxes.useepay.log.items) == 1


async def test_shutdown_releases_claims_it_cannot_finish_in_its_grace_period(hub: Hub) -> None:
    from parcelsync.sandbox.faults import FaultConfig

    await hub.upsert([shipment(1, intent=1)])
    hub.sandboxes.useepay.faults.configure(FaultConfig(latency_ms=5000))
    hub.sandboxes.trackingmore.faults.configure(FaultConfig(latency_ms=5000))
    worker = hub.worker(concurrency=2)
    running = asyncio.create_task(worker.run(grace_s=0.2))
    for _ in range(200):
        if len([t for t in await hub.targets() if t.lease_owner]) == 2:
            break
        await asyncio.sleep(0.02)
    worker.stop()
    await running
    targets = await hub.targets()
    assert [(t.state, t.lease_owner, t.attempts) for t in targets] == [("pending", None, 0)] * 2
    assert await claim(hub, Outbox(owner="next", lease_seconds=60)) is not None  # due again at once


async def test_concurrent_claimers_keep_each_connections_batches_whole(any_hub: Hub) -> None:
    hub = any_hub
    await hub.upsert([shipment(i, intent=i, order=i) for i in range(30)])
    boxes = [Outbox(owner=f"w{i}", lease_seconds=60) for i in range(8)]
    sizes: dict[Provider, list[int]] = {p: [] for p in Provider}

    async def run(box: Outbox) -> None:
        while (c := await claim(hub, box)) is not None:
            sizes[c.provider].append(len(c.targets))
            await asyncio.sleep(0)

    await asyncio.gather(*(run(b) for b in boxes))
    assert sorted(sizes[Provider.USEEPAY]) == [10, 20]  # 30 intents: two calls, never three smaller ones
    assert sizes[Provider.TRACKINGMORE] == [30]
    assert sum(sizes[Provider.SHOPLINE]) == 30


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)  # SQLite claims one at a time
async def test_a_group_leased_meanwhile_sends_the_claim_to_the_next_connection(any_hub: Hub) -> None:
    """PostgreSQL: another claimer commits the head connection's lease between our head query and our lease;
    the claim moves on to the next connection instead of coming back empty (and its task sleeping)."""
    hub = any_hub
    await hub.upsert([shipment(1, intent=1)])

    class Racing(Outbox):
        async def _lock_head_connection(self, session, params, skip):  # type: ignore[no-untyped-def]
            head = await super()._lock_head_connection(session, params, skip)
            if head is not None and not skip:
                async with unit_of_work(hub.sessions) as other:
                    await other.execute(
                        update(SyncTargetRow)
                        .where(SyncTargetRow.merchant_id == head.merchant_id, SyncTargetRow.provider == head.provider)
                        .values(lease_owner="other", lease_expires_at=hub.clock() + timedelta(minutes=5))
                    )
            return head

    box = Racing(owner="w1", lease_seconds=60)
    first = await claim(hub, box)
    assert first is not None and box.stats.counts["raced"] == 1
    owners = {t.provider: t.lease_owner for t in await hub.targets()}
    assert owners[first.provider.value] == "w1" and sorted(owners.values()).count("other") == 1
