"""The one read model of a shipment's destinations, used by the API and the dashboard alike.

Per registered connector: the shipment's target there and its sync state, or `skipped` with
why: "no connection" when the merchant has none or it is disabled, or the missing key field.
`destination_condition` is the same model as SQL, for listing shipments by destination state.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, exists, false, not_, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from parcelsync.connectors.registry import all_connectors
from parcelsync.db.queries.shipment_filter import DestinationFilter
from parcelsync.db.tables import ConnectionRow, ShipmentRow, SyncTargetRow
from parcelsync.domain.provider import Provider
from parcelsync.domain.status import TargetState
from parcelsync.sync.gateways import default_gateway
from parcelsync.sync.keys import (
    HasTargetFields,
    TargetKey,
    key_expression,
    key_present_condition,
    keys_condition,
    selector_condition,
    skip_reason,
    target_keys,
)

NO_CONNECTION = "no connection"
NOT_PLANNED = "not planned yet"
# Below this many matching targets a destination condition is an IN list on indexed shipment columns.
DEST_IN_LIST_MAX = 1000


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


async def destination_condition(
    session: AsyncSession, merchant_id: str, wanted: DestinationFilter
) -> ColumnElement[bool]:
    """SQL over shipment rows: those `read_destinations` shows in `wanted.state` at `wanted.provider`.

    Without an enabled connection every shipment is skipped there; with one, a shipment lacking the key's
    fields (or naming another gateway) is skipped, and any other is in its target's state (one not planned
    yet is not matched).
    """
    provider = wanted.provider
    enabled = await session.scalar(
        select(ConnectionRow.enabled).where(
            ConnectionRow.merchant_id == merchant_id, ConnectionRow.provider == provider.value
        )
    )
    if not enabled:
        return true() if wanted.state is TargetState.SKIPPED else false()
    gateway = await default_gateway(session, merchant_id)
    if wanted.state is TargetState.SKIPPED:
        return not_(key_present_condition(provider, gateway=gateway))
    keys = list(
        await session.scalars(
            select(SyncTargetRow.target_key)
            .where(
                SyncTargetRow.merchant_id == merchant_id,
                SyncTargetRow.state == wanted.state,
                SyncTargetRow.provider == provider.value,
            )
            .limit(DEST_IN_LIST_MAX + 1)
        )
    )
    if len(keys) <= DEST_IN_LIST_MAX:
        # Few matching targets: an IN list on indexed shipment columns; many: a correlated EXISTS probe.
        return keys_condition(provider, keys, gateway=gateway) if keys else ShipmentRow.id.is_(None)
    fed = and_(
        SyncTargetRow.merchant_id == ShipmentRow.merchant_id,
        SyncTargetRow.provider == provider.value,
        SyncTargetRow.target_key == key_expression(provider),
    )
    return and_(exists().where(fed, SyncTargetRow.state == wanted.state), selector_condition(provider, gateway=gateway))
