"""The oldest-pending age counts from when a target entered the queue, not from its last attempt."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from parcelsync.db.base import utcnow
from parcelsync.db.engine import make_sessionmaker, unit_of_work
from parcelsync.db.tables import ConnectionRow, MerchantRow, SyncTargetRow
from parcelsync.domain.provider import Provider
from parcelsync.sync import outbox, planner
from parcelsync.sync.keys import key_for
from parcelsync.sync.state import sync_status

pytestmark = pytest.mark.anyio
KEY = key_for(Provider.TRACKINGMORE, "ups", "1Z5R89390357567127")


async def _target(session) -> SyncTargetRow:  # type: ignore[no-untyped-def]
    return (await session.scalars(select(SyncTargetRow))).one()


async def test_pending_since_survives_attempts_and_rebumps_but_resets_on_requeue(engine) -> None:  # type: ignore[no-untyped-def]
    sessions = make_sessionmaker(engine)
    long_ago = utcnow() - timedelta(hours=3)
    async with unit_of_work(sessions) as session:
        session.add(MerchantRow(id="m", name="M"))
        await session.flush()
        session.add(ConnectionRow(merchant_id="m", provider="trackingmore", base_url="http://tm"))
        await session.flush()
        await planner.bump_targets(session, "m", [KEY])
        # As if it was queued three hours ago and has failed since: attempts move updated_at and next_attempt_at.
        await session.execute(
            update(SyncTargetRow).values(pending_since=long_ago, updated_at=utcnow(), attempts=4)
        )

    async with unit_of_work(sessions) as session:
        status = await sync_status(session, utcnow(), merchant_id="m")
        assert status.queues[Provider.TRACKINGMORE.value].oldest_age_s >= 3 * 3600 - 5

        await planner.bump_targets(session, "m", [KEY])  # edited again while still queued
        assert (await _target(session)).pending_since == long_ago

        await session.execute(update(SyncTargetRow).values(state="synced"))
        await planner.bump_targets(session, "m", [KEY])  # synced, then edited: a new wait starts
        requeued = (await _target(session)).pending_since
        assert requeued is not None and requeued > long_ago + timedelta(hours=2)

        await session.execute(update(SyncTargetRow).values(state="parked", pending_since=long_ago))
        now = utcnow()
        await outbox.replay(session, now=now, merchant_id="m")
        assert (await _target(session)).pending_since == now
