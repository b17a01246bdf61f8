"""Reconcile findings for payment gateways, kept so "the gateway's set differs" can be shown until it is fixed.

`record_gateway_checks` is called once at the end of a reconcile: for every payment-gateway
provider that reconcile checked, the previous findings are replaced by this run's drift.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import delete, insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from parcelsync.connectors.record import Kind
from parcelsync.db.base import utcnow
from parcelsync.db.engine import unit_of_work
from parcelsync.db.tables import GatewayCheckRow
from parcelsync.payments.kinds import kind_of


class _Report(Protocol):
    @property
    def merchant_id(self) -> str: ...
    @property
    def checked(self) -> dict[str, int]: ...
    @property
    def drift(self) -> Sequence[Any]: ...
    @property
    def errors(self) -> Sequence[str]: ...


async def record_gateway_checks(
    sessions: async_sessionmaker[AsyncSession], report: _Report, *, now: datetime | None = None
) -> int:
    """Replace the stored findings of each payment gateway reconcile checked with this run's drift."""
    now = now or utcnow()
    gateways = [p for p in report.checked if kind_of(p) is Kind.PAYMENT_GATEWAY]
    if not gateways:
        return 0
    rows = [
        {
            "merchant_id": report.merchant_id, "provider": d.provider, "payment_intent_id": d.target_key,
            "checked_at": now, "hub_numbers": list(d.hub), "remote_numbers": list(d.remote),
        }
        for d in report.drift
        if d.provider in gateways
    ]
    async with unit_of_work(sessions) as session:
        await session.execute(
            delete(GatewayCheckRow).where(
                GatewayCheckRow.merchant_id == report.merchant_id, GatewayCheckRow.provider.in_(gateways)
            )
        )
        if rows:
            await session.execute(insert(GatewayCheckRow), rows)
    return len(rows)
