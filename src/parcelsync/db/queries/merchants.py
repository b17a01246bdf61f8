"""Merchants: create, read, list, rename, deactivate and reactivate."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.db.base import utcnow
from parcelsync.db.tables import MerchantRow


def new_merchant_id() -> str:
    return "m_" + secrets.token_hex(6)


async def create_merchant(session: AsyncSession, name: str, merchant_id: str | None = None) -> MerchantRow:
    row = MerchantRow(id=merchant_id or new_merchant_id(), name=name)
    session.add(row)
    await session.flush()
    return row


async def get_merchant(session: AsyncSession, merchant_id: str) -> MerchantRow | None:
    return await session.get(MerchantRow, merchant_id)


async def list_merchants(session: AsyncSession, *, after: str | None = None, limit: int = 100) -> list[MerchantRow]:
    """Merchants ordered by id, `limit` of them after the id `after` (keyset pagination)."""
    stmt = select(MerchantRow).order_by(MerchantRow.id).limit(limit)
    if after is not None:
        stmt = stmt.where(MerchantRow.id > after)
    return list((await session.scalars(stmt)).all())


async def rename_merchant(session: AsyncSession, merchant_id: str, name: str) -> MerchantRow | None:
    row = await get_merchant(session, merchant_id)
    if row is not None:
        row.name = name
        await session.flush()
    return row


async def list_all_merchants(session: AsyncSession, limit: int = 500) -> list[MerchantRow]:
    """Every merchant, active and deactivated, by name (the admin's merchants page)."""
    stmt = select(MerchantRow).order_by(MerchantRow.name, MerchantRow.id).limit(limit)
    return list((await session.scalars(stmt)).all())


async def set_active(session: AsyncSession, merchant_id: str, active: bool) -> MerchantRow | None:
    """Deactivate (now) or reactivate a merchant; None when there is no such merchant."""
    row = await get_merchant(session, merchant_id)
    if row is not None:
        row.deactivated_at = None if active else (row.deactivated_at or utcnow())
        await session.flush()
    return row
