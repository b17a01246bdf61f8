"""A merchant's at-risk thresholds and default payment gateway, in its own table (payment_settings); defaults
when none are set."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.db.base import utcnow
from parcelsync.db.tables import PaymentSettingsRow
from parcelsync.domain.provider import Provider
from parcelsync.payments.risk import RiskPolicy
from parcelsync.sync.gateways import default_gateway
from parcelsync.sync.planner import plan_unnamed_payments


async def get_policy(session: AsyncSession, merchant_id: str) -> RiskPolicy:
    row = await session.get(PaymentSettingsRow, merchant_id)
    if row is None:
        return RiskPolicy()
    return RiskPolicy(row.accept_within_hours, row.stuck_after_days, row.late_after_days)


async def save_policy(session: AsyncSession, merchant_id: str, policy: RiskPolicy) -> RiskPolicy:
    row = await _row(session, merchant_id)
    row.accept_within_hours = policy.accept_within_hours
    row.stuck_after_days = policy.stuck_after_days
    row.late_after_days = policy.late_after_days
    row.updated_at = utcnow()
    await session.flush()
    return policy


async def _row(session: AsyncSession, merchant_id: str) -> PaymentSettingsRow:
    row = (
        await session.scalars(select(PaymentSettingsRow).where(PaymentSettingsRow.merchant_id == merchant_id))
    ).first()
    if row is None:
        defaults = RiskPolicy()
        row = PaymentSettingsRow(
            merchant_id=merchant_id, accept_within_hours=defaults.accept_within_hours,
            stuck_after_days=defaults.stuck_after_days, late_after_days=defaults.late_after_days,
        )
        session.add(row)
    return row


async def get_default_gateway(session: AsyncSession, merchant_id: str) -> str | None:
    """The gateway the merchant chose for payments naming none (the effective one is `sync.gateways`')."""
    row = await session.get(PaymentSettingsRow, merchant_id)
    return row.default_payment_gateway if row is not None else None


async def save_default_gateway(session: AsyncSession, merchant_id: str, provider: str | None) -> int:
    """Choose (or, with None, clear) the default gateway; when the effective default changes, the new one's
    targets of payments naming no gateway are planned (those that were "not chosen" go out). Returns how many."""
    before = await default_gateway(session, merchant_id)
    row = await _row(session, merchant_id)
    row.default_payment_gateway = provider
    row.updated_at = utcnow()
    await session.flush()
    after = await default_gateway(session, merchant_id)
    if after is None or after == before:
        return 0
    return await plan_unnamed_payments(session, merchant_id, Provider(after))
