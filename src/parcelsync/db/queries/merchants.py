"""Merchants: create, read, list, rename."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

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
