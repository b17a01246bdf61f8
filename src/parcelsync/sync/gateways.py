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
from parcelsync.domain.provider import Provider


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
    chosen = await session.scalar(
        select(PaymentSettingsRow.default_payment_gateway).where(PaymentSettingsRow.merchant_id == merchant_id)
    )
    return choose_default(connected, chosen)


async def connected_and_default(session: AsyncSession, merchant_id: str) -> tuple[set[Provider], str | None]:
    """The merchant's connected (enabled) providers and its `default_gateway`, in one query (a write's context).

    With no connection there is no row, and no default either: none of its gateways is connected.
    """
    chosen = (
        select(PaymentSettingsRow.default_payment_gateway)
        .where(PaymentSettingsRow.merchant_id == merchant_id)
        .scalar_subquery()
    )
    enabled = select(ConnectionRow.provider, chosen).where(
        ConnectionRow.merchant_id == merchant_id, ConnectionRow.enabled
    )
    rows = (await session.execute(enabled)).all()
    providers = {Provider(provider) for provider, _ in rows}
    gateways = gateway_providers().intersection(p.value for p in providers)
    return providers, choose_default(gateways, rows[0][1] if rows else None)
