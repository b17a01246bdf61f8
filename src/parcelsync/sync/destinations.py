"""The one read model of a shipment's destinations, used by the API and the dashboard alike.

Per registered connector: the shipment's target there and its sync state, or `skipped` with
why: "no connection" when the merchant has none or it is disabled, or the missing key field.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.connectors.registry import all_connectors
from parcelsync.db.tables import ConnectionRow, SyncTargetRow
from parcelsync.domain.provider import Provider
from parcelsync.domain.status import TargetState
from parcelsync.sync.gateways import default_gateway
from parcelsync.sync.keys import HasTargetFields, TargetKey, skip_reason, target_keys

NO_CONNECTION = "no connection"
NOT_PLANNED = "not planned yet"


@dataclass(frozen=True, slots=True)
class Destination:
    """Where one shipment stands at one provider. `connected`: the merchant has a connection row (maybe off)."""

    provider: Provider
    connected: bool
    enabled: bool
    key: TargetKey | None
    state: str
    reason: str | None
    target: SyncTargetRow | None


async def read_destinations(session: AsyncSession, shipment: HasTargetFields) -> list[Destination]:
    """Every registered provider, in registry order, with this shipment's state there."""
    connections = dict(
        (
            await session.execute(
                select(ConnectionRow.provider, ConnectionRow.enabled).where(
                    ConnectionRow.merchant_id == shipment.merchant_id
                )
            )
        ).tuples().all()
    )
    gateway = await default_gateway(session, shipment.merchant_id)
    keys = {k.provider: k for k in target_keys(shipment, gateway=gateway)}
    wanted = [k for k in keys.values() if connections.get(k.provider.value)]
    rows: dict[Provider, SyncTargetRow] = {}
    if wanted:
        found = await session.scalars(
            select(SyncTargetRow).where(
                SyncTargetRow.merchant_id == shipment.merchant_id,
                or_(*(and_(SyncTargetRow.provider == k.provider.value, SyncTargetRow.target_key == k.key)
                      for k in wanted)),
            )
        )
        rows = {Provider(r.provider): r for r in found}
    out: list[Destination] = []
    for connector in all_connectors():
        provider = connector.provider
        connected, enabled = provider.value in connections, bool(connections.get(provider.value))
        key = keys.get(provider)
        if not enabled:
            out.append(Destination(provider, connected, False, key, TargetState.SKIPPED.value, NO_CONNECTION, None))
            continue
        reason = skip_reason(provider, shipment, gateway=gateway)
        if reason is not None or key is None:
            out.append(Destination(provider, connected, True, None, TargetState.SKIPPED.value, reason, None))
            continue
        row = rows.get(provider)
        if row is None:
            out.append(Destination(provider, True, True, key, TargetState.PENDING.value, NOT_PLANNED, None))
        else:
            out.append(Destination(provider, True, True, key, row.state, row.reason, row))
    return out
