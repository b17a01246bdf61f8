"""Reconciliation: compare what the hub holds with what each provider holds, per target, and re-enqueue drift.

Each connector with a `read_back` compares its own copy (see its connector module); the
targets of a connector without one (SHOPLINE documents no endpoint that reads a fulfillment's
tracking back) are counted as `unverifiable` and never "fixed" blindly.

`--fix` bumps every drifted target in one transaction, so the worker sends its full current set again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from parcelsync.connectors.carriers import default_registry
from parcelsync.connectors.readback import Drift, HubCopy, OnChecked, no_progress
from parcelsync.connectors.registry import connector_for
from parcelsync.db.crypto import CredentialCipher
from parcelsync.db.engine import unit_of_work
from parcelsync.db.queries.carrier_overrides import registry_for
from parcelsync.db.queries.connections import load_connection
from parcelsync.db.tables import ShipmentRow, SyncTargetRow
from parcelsync.domain.provider import Provider
from parcelsync.payments.checks import record_gateway_checks
from parcelsync.sync.clients import ClientCache
from parcelsync.sync.gateways import default_gateway
from parcelsync.sync.keys import TargetKey
from parcelsync.sync.planner import bump_targets

__all__ = ["Drift", "OnChecked", "ReconcileReport", "drift_keys", "reconcile_merchant"]


@dataclass
class ReconcileReport:
    merchant_id: str
    checked: dict[str, int] = field(default_factory=dict)
    drift: list[Drift] = field(default_factory=list)
    unverifiable: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    fixed: int = 0


async def _live(session: AsyncSession, merchant_id: str) -> list[ShipmentRow]:
    rows = await session.scalars(
        select(ShipmentRow).where(ShipmentRow.merchant_id == merchant_id, ShipmentRow.deleted_at.is_(None))
    )
    return list(rows.all())


async def _deleted_numbers(session: AsyncSession, merchant_id: str) -> frozenset[tuple[str, str]]:
    """(carrier, number) of soft-deleted parcels."""
    rows = await session.execute(
        select(ShipmentRow.carrier, ShipmentRow.tracking_number).where(
            ShipmentRow.merchant_id == merchant_id, ShipmentRow.deleted_at.is_not(None)
        )
    )
    return frozenset((c, n) for c, n in rows)


async def target_count(session: AsyncSession, merchant_id: str, provider: Provider) -> int:
    return (
        await session.scalar(
            select(func.count()).select_from(SyncTargetRow).where(
                SyncTargetRow.merchant_id == merchant_id, SyncTargetRow.provider == provider.value
            )
        )
        or 0
    )


def drift_keys(drift: Sequence[Drift]) -> list[TargetKey]:
    return [TargetKey(connector_for(d.provider).provider, d.target_key) for d in drift]


async def reconcile_merchant(
    sessions: async_sessionmaker[AsyncSession],
    cipher: CredentialCipher,
    clients: ClientCache,
    merchant_id: str,
    *,
    providers: Sequence[Provider] = tuple(Provider),
    fix: bool = False,
    progress: OnChecked = no_progress,
) -> ReconcileReport:
    """Compare the merchant's hub state with each connected provider; with `fix`, re-enqueue the drift."""
    report = ReconcileReport(merchant_id)
    async with sessions() as session:
        live = await _live(session, merchant_id)
        deleted = await _deleted_numbers(session, merchant_id)
        registry = await registry_for(session, merchant_id, default_registry())
        gateway = await default_gateway(session, merchant_id)
        connections = {p: await load_connection(session, cipher, merchant_id, p) for p in providers}
        unverifiable = {
            p: await target_count(session, merchant_id, p) for p in providers if connector_for(p).read_back is None
        }
    for provider, connection in connections.items():
        if connection is None or not connection.enabled:
            continue
        read_back = connector_for(provider).read_back
        if read_back is None:
            report.unverifiable[provider.value] = unverifiable[provider]
            continue
        routed = [r for r in live if connector_for(provider).key.selects(r, gateway)]  # this destination's parcels
        result = await read_back(clients.get(connection), HubCopy(routed, deleted, registry), progress)
        report.drift.extend(result.drift)
        report.errors.extend(result.errors)
        if result.checked is not None:
            report.checked[provider.value] = result.checked
    await record_gateway_checks(sessions, report)
    if fix and report.drift:
        async with unit_of_work(sessions) as session:
            report.fixed = await bump_targets(session, merchant_id, drift_keys(report.drift))
    return report
