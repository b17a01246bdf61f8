"""Per-merchant housekeeping claims: a lease in `merchant_chores`, so several workers never evaluate one
merchant at once (one atomic guarded UPDATE on both databases), and a crashed worker's lease runs out."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.db.results import rows_affected
from parcelsync.db.tables import MerchantChoresRow, MerchantRow

C = MerchantChoresRow


async def merchant_ids(session: AsyncSession) -> list[str]:
    return list((await session.scalars(select(MerchantRow.id).order_by(MerchantRow.id))).all())


async def claim_merchant(session: AsyncSession, merchant_id: str, *, owner: str, now: datetime, lease_s: float) -> bool:
    """Take the merchant's chores until now + lease_s; False when another worker holds them."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    await session.execute(
        insert(C).values(merchant_id=merchant_id).on_conflict_do_nothing(index_elements=["merchant_id"])
    )
    result = await session.execute(
        update(C)
        .where(C.merchant_id == merchant_id, or_(C.lease_expires_at.is_(None), C.lease_expires_at <= now))
        .values(lease_owner=owner, lease_expires_at=now + timedelta(seconds=lease_s))
        .execution_options(synchronize_session=False)
    )
    return bool(rows_affected(result))


async def chores_row(session: AsyncSession, merchant_id: str) -> MerchantChoresRow | None:
    return await session.get(C, merchant_id)


async def release_merchant(session: AsyncSession, merchant_id: str, *, owner: str, **values: Any) -> None:
    await session.execute(
        update(C)
        .where(C.merchant_id == merchant_id, C.lease_owner == owner)
        .values(lease_owner=None, lease_expires_at=None, **values)
        .execution_options(synchronize_session=False)
    )
