"""Reconciliation: compare what the hub holds with what each provider holds, per target, and re-enqueue drift.

- UseePay: "Retrieve a tracker" per payment intent; drift when the provider's parcel numbers differ
  from the intent's live parcels (or it has no tracker at all).
- TrackingMore: the account's trackings listed page by page (1 request/s); drift when a live parcel
  is missing there, or a parcel deleted in the hub is still there.
- SHOPLINE: the seeds document no endpoint that reads a fulfillment's tracking back, so SHOPLINE
  targets cannot be verified; they are counted as `unverifiable` and never "fixed" blindly.

`--fix` bumps every drifted target in one transaction, so the worker sends its full current set again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from parcelsync.db.crypto import CredentialCipher
from parcelsync.db.engine import unit_of_work
from parcelsync.db.queries.carrier_overrides import registry_for
from parcelsync.db.queries.connections import load_connection
from parcelsync.db.tables import ShipmentRow, SyncTargetRow
from parcelsync.domain.carriers import CarrierRegistry
from parcelsync.domain.provider import Provider
from parcelsync.providers.errors import NotFound, ProviderError
from parcelsync.providers.trackingmore.client import TrackingMoreClient
from parcelsync.providers.useepay.client import UseePayClient
from parcelsync.sync.clients import ClientCache
from parcelsync.sync.keys import TargetKey, trackingmore_key, useepay_key
from parcelsync.sync.planner import bump_targets

# Called as (provider, n) after each provider record compared: trackers read, trackings listed.
OnChecked = Callable[[str, int], None]

@dataclass(frozen=True, slots=True)
class Drift:
    """One target whose provider copy disagrees with the hub."""

    provider: str
    target_key: str
    kind: str
    hub: tuple[str, ...] = ()
    remote: tuple[str, ...] = ()


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


async def _deleted_numbers(session: AsyncSession, merchant_id: str) -> set[tuple[str, str]]:
    """(carrier, number) of soft-deleted parcels."""
    rows = await session.execute(
        select(ShipmentRow.carrier, ShipmentRow.tracking_number).where(
            ShipmentRow.merchant_id == merchant_id, ShipmentRow.deleted_at.is_not(None)
        )
    )
    return {(c, n) for c, n in rows}


def _no_progress(_provider: str, _count: int) -> None:
    return None


async def check_useepay(
    client: UseePayClient, live: Sequence[ShipmentRow], report: ReconcileReport, progress: OnChecked = _no_progress
) -> None:
    expected: dict[str, set[str]] = {}
    for row in live:
        if row.payment_intent_id:
            expected.setdefault(row.payment_intent_id, set()).add(row.tracking_number)
    for intent, numbers in sorted(expected.items()):
        try:
            tracker = await client.retrieve_tracker(intent)
            remote = {s.tracking_number for s in tracker.shipments}
        except NotFound:
            remote = set()
        except ProviderError as exc:
            report.errors.append(f"useepay {intent}: {exc.reason}")
            continue
        if remote != numbers:
            kind = "missing" if not remote else "differs"
            report.drift.append(Drift("useepay", intent, kind, tuple(sorted(numbers)), tuple(sorted(remote))))
        progress("useepay", 1)
    report.checked["useepay"] = len(expected)


async def check_trackingmore(
    client: TrackingMoreClient,
    live: Sequence[ShipmentRow],
    deleted: set[tuple[str, str]],
    registry: CarrierRegistry,
    report: ReconcileReport,
    progress: OnChecked = _no_progress,
) -> None:
    def code(carrier: str) -> str:
        return registry.code_for(Provider.TRACKINGMORE, carrier)

    expected = {(code(r.carrier), r.tracking_number): r.carrier for r in live}
    gone = {(code(c), n): c for (c, n) in deleted}
    remote: set[tuple[str, str]] = set()
    try:
        async for tracking in client.iter_trackings(limit=2000):
            remote.add((tracking.carrier_code, tracking.tracking_number))
            progress("trackingmore", 1)
    except ProviderError as exc:
        report.errors.append(f"trackingmore list: {exc.reason}")
        return
    for (carrier_code, number), carrier in sorted(expected.items()):
        if (carrier_code, number) not in remote:
            report.drift.append(Drift("trackingmore", f"{carrier}/{number}", "missing", (number,), ()))
    for (carrier_code, number) in sorted(remote - set(expected)):
        carrier = gone.get((carrier_code, number))
        if carrier is not None:
            report.drift.append(Drift("trackingmore", f"{carrier}/{number}", "deleted in hub", (), (number,)))
    report.checked["trackingmore"] = len(expected)


async def shopline_targets(session: AsyncSession, merchant_id: str) -> int:
    return (
        await session.scalar(
            select(func.count()).select_from(SyncTargetRow).where(
                SyncTargetRow.merchant_id == merchant_id, SyncTargetRow.provider == Provider.SHOPLINE.value
            )
        )
        or 0
    )


def drift_keys(drift: Sequence[Drift]) -> list[TargetKey]:
    keys: list[TargetKey] = []
    for d in drift:
        if d.provider == Provider.USEEPAY.value:
            keys.append(useepay_key(d.target_key))
        elif d.provider == Provider.TRACKINGMORE.value:
            carrier, _, number = d.target_key.partition("/")
            keys.append(trackingmore_key(carrier, number))
    return keys


async def reconcile_merchant(
    sessions: async_sessionmaker[AsyncSession],
    cipher: CredentialCipher,
    clients: ClientCache,
    merchant_id: str,
    *,
    providers: Sequence[Provider] = tuple(Provider),
    fix: bool = False,
    progress: OnChecked = _no_progress,
) -> ReconcileReport:
    """Compare the merchant's hub state with each connected provider; with `fix`, re-enqueue the drift."""
    report = ReconcileReport(merchant_id)
    async with sessions() as session:
        live = await _live(session, merchant_id)
        deleted = await _deleted_numbers(session, merchant_id)
        registry = await registry_for(session, merchant_id)
        connections = {p: await load_connection(session, cipher, merchant_id, p) for p in providers}
        shopline_count = await shopline_targets(session, merchant_id)
    for provider, connection in connections.items():
        if connection is None or not connection.enabled:
            continue
        if provider is Provider.SHOPLINE:
            report.unverifiable["shopline"] = shopline_count
            continue
        client = clients.get(connection)
        if provider is Provider.USEEPAY:
            await check_useepay(client, live, report, progress)
        else:
            await check_trackingmore(client, live, deleted, registry, report, progress)
    if fix and report.drift:
        async with unit_of_work(sessions) as session:
            report.fixed = await bump_targets(session, merchant_id, drift_keys(report.drift))
    return report
