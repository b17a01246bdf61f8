"""A merchant's default payment gateway: where a shipment whose payment names no gateway goes.

The only connected (enabled) payment gateway is the default; with several, the merchant's
`default_payment_gateway` setting (payment_settings) when that gateway is connected; otherwise
there is none, and such a shipment is skipped at every gateway with "payment gateway not chosen".
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.connectors.record import Kind
from parcelsync.connectors.registry import all_connectors
from parcelsync.db.tables import ConnectionRow, PaymentSettingsRow


def gateway_providers() -> frozenset[str]:
    """Every registered provider that is a payment gateway."""
    return frozenset(c.provider.value for c in all_connectors() if c.kind is Kind.PAYMENT_GATEWAY)


def choose_default(connected: Collection[str], chosen: str | None) -> str | None:
    """The default among the connected gateways: the chosen one if connected, else the only one, else none."""
    if chosen is not None and chosen in connected:
        return chosen
    return next(iter(connected)) if len(connected) == 1 else None


async def default_gateway(session: AsyncSession, merchant_id: str) -> str | None:
    connected = set(
        await session.scalars(
            select(ConnectionRow.provider).where(
                ConnectionRow.merchant_id == merchant_id,
                ConnectionRow.enabled.is_(True),
                ConnectionRow.provider.in_(sorted(gateway_providers())),
            )
        )
    )
    return await default_among(session, merchant_id, connected)


async def default_among(session: AsyncSession, merchant_id: str, connected: Collection[str]) -> str | None:
    """`default_gateway` when the merchant's connected (enabled) providers, of any kind, are known already."""
    chosen = await session.scalar(
        select(PaymentSettingsRow.default_payment_gateway).where(PaymentSettingsRow.merchant_id == merchant_id)
    )
    return choose_default(gateway_providers().intersection(connected), chosen)
