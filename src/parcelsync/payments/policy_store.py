"""A merchant's at-risk thresholds, in its own table (payment_settings); defaults when none are set."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.db.base import utcnow
from parcelsync.db.tables import PaymentSettingsRow
from parcelsync.payments.risk import RiskPolicy


async def get_policy(session: AsyncSession, merchant_id: str) -> RiskPolicy:
    row = await session.get(PaymentSettingsRow, merchant_id)
    if row is None:
        return RiskPolicy()
    return RiskPolicy(row.accept_within_hours, row.stuck_after_days, row.late_after_days)


async def save_policy(session: AsyncSession, merchant_id: str, policy: RiskPolicy) -> RiskPolicy:
    row = (
        await session.scalars(select(PaymentSettingsRow).where(PaymentSettingsRow.merchant_id == merchant_id))
    ).first()
    if row is None:
        row = PaymentSettingsRow(merchant_id=merchant_id)
        session.add(row)
    row.accept_within_hours = policy.accept_within_hours
    row.stuck_after_days = policy.stuck_after_days
    row.late_after_days = policy.late_after_days
    row.updated_at = utcnow()
    await session.flush()
    return policy
