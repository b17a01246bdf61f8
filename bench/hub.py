"""The hub side of a benchmark: merchants and connections, direct ingest, outbox progress, expected state.

Uses parcelsync's own library code (queries, ingest service, planner), not private SQL, except for
the read-only progress query on `sync_targets` and the bulk loader of bench_scale.py.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from bench.sandboxes import MerchantAccounts, SandboxAdmin
from parcelsync.connectors.carriers import default_registry
from parcelsync.db.crypto import CredentialCipher
from parcelsync.db.engine import make_engine, make_sessionmaker, unit_of_work
from parcelsync.db.queries.merchants import create_merchant
from parcelsync.db.tables import ShipmentRow, SyncTargetRow
from parcelsync.domain.provider import Provider
from parcelsync.ingest.connections import save_connection
from parcelsync.ingest.service import upsert_shipments


def merchant_id(index: int) -> str:
    return f"m_bench{index:05d}"


async def setup_merchants(
    url: str, secret_key: str, accounts: Sequence[MerchantAccounts], options: dict[str, dict[str, Any]] | None = None
) -> list[str]:
    """Create one hub merchant per sandbox account set, with its three connections pointing at the sandbox."""
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    cipher = CredentialCipher(secret_key)
    ids: list[str] = []
    try:
        async with unit_of_work(sessions) as session:
            for acc in accounts:
                mid = merchant_id(acc.index)
                await create_merchant(session, f"Bench merchant {acc.index}", mid)
                for name, (base_url, creds) in acc.connections().items():
                    await save_connection(
                        session, cipher, mid, Provider(name), base_url=base_url, credentials=creds,
                        options=dict((options or {}).get(name, {})),
                    )
                ids.append(mid)
    finally:
        await engine.dispose()
    return ids


async def ingest(url: str, merchant: str, items: Sequence[dict[str, Any]], chunk: int = 1000) -> Counter[str]:
    """Upsert shipments through the ingest service, `chunk` per transaction; returns statuses counted."""
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    counts: Counter[str] = Counter()
    try:
        for start in range(0, len(items), chunk):
            async with unit_of_work(sessions) as session:
                results = await upsert_shipments(session, merchant, items[start : start + chunk], source="bench")
            counts.update(r.status for r in results)
    finally:
        await engine.dispose()
    return counts


@dataclass(frozen=True, slots=True)
class Progress:
    by_state: dict[tuple[str, str], int]
    attempts: int

    @property
    def pending(self) -> int:
        return sum(n for (_, state), n in self.by_state.items() if state == "pending")

    @property
    def total(self) -> int:
        return sum(self.by_state.values())

    def count(self, state: str) -> int:
        return sum(n for (_, s), n in self.by_state.items() if s == state)


class Outbox:
    """Read-only view of the outbox, polled while workers run."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        self.sessions = make_sessionmaker(self.engine)

    async def progress(self) -> Progress:
        async with self.sessions() as session:
            rows = (
                await session.execute(
                    select(SyncTargetRow.provider, SyncTargetRow.state, func.count(), func.sum(SyncTargetRow.attempts))
                    .group_by(SyncTargetRow.provider, SyncTargetRow.state)
                )
            ).all()
        return Progress({(p, s): int(n) for p, s, n, _ in rows}, sum(int(a or 0) for *_, a in rows))

    async def wait_done(self, *, timeout_s: float, poll_s: float = 0.25, on_poll: Any = None) -> tuple[float, Progress]:
        """Poll until no target is pending (or the time is up); returns (seconds waited, last progress)."""
        started = time.monotonic()
        while True:
            try:
                progress = await self.progress()
            except Exception:  # the database may be restarting during a chaos run
                progress = None
            if on_poll is not None:
                await on_poll(progress)
            if progress is not None and progress.total and progress.pending == 0:
                return time.monotonic() - started, progress
            if time.monotonic() - started > timeout_s:
                return time.monotonic() - started, progress or Progress({}, 0)
            await asyncio.sleep(poll_s)

    async def close(self) -> None:
        await self.engine.dispose()


@dataclass
class Verdict:
    """Hub vs sandbox: targets that are missing, hold the wrong set, or hold an entry twice."""

    checked: int = 0
    lost: int = 0
    clobbered: int = 0
    duplicates: int = 0
    extra: int = 0
    examples: list[str] | None = None

    @property
    def ok(self) -> bool:
        return self.lost == self.clobbered == self.duplicates == self.extra == 0

    def note(self, text: str) -> None:
        self.examples = (self.examples or [])
        if len(self.examples) < 10:
            self.examples.append(text)


def _compare(verdict: Verdict, where: str, expected: dict[str, set[str]], actual: dict[str, list[str]]) -> None:
    for key, want in expected.items():
        verdict.checked += 1
        got = actual.get(key)
        if got is None:
            verdict.lost += 1
            verdict.note(f"{where} {key}: missing")
            continue
        if len(got) != len(set(got)):
            verdict.duplicates += 1
            verdict.note(f"{where} {key}: duplicate entries {got}")
        if set(got) != want:
            verdict.clobbered += 1
            verdict.note(f"{where} {key}: holds {sorted(set(got))}, hub has {sorted(want)}")
    for key in actual.keys() - expected.keys():
        if not actual[key]:
            continue  # a target the hub emptied, cleared at the provider (SHOPLINE overwrite with [])
        verdict.extra += 1
        verdict.note(f"{where} {key}: not in the hub")


async def verify(url: str, admin: SandboxAdmin, merchants: Sequence[tuple[str, MerchantAccounts]]) -> Verdict:
    """Compare every live hub shipment with what each sandbox holds, per target (numbers only)."""
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    verdict = Verdict()
    tm_actual = admin.trackingmore_state()
    registry = default_registry()
    try:
        for mid, acc in merchants:
            async with sessions() as session:
                rows = (
                    await session.execute(
                        select(ShipmentRow.carrier, ShipmentRow.tracking_number, ShipmentRow.payment_intent_id,
                               ShipmentRow.order_id, ShipmentRow.fulfillment_id)
                        .where(ShipmentRow.merchant_id == mid, ShipmentRow.deleted_at.is_(None))
                    )
                ).all()
            by_intent: dict[str, set[str]] = {}
            by_fulfillment: dict[str, set[str]] = {}
            tm_expected: dict[str, set[str]] = {}
            for carrier, number, intent, order, fulfillment in rows:
                if intent:
                    by_intent.setdefault(intent, set()).add(number)
                if order and fulfillment:
                    by_fulfillment.setdefault(f"{order}/{fulfillment}", set()).add(number)
                code = registry.code_for(Provider.TRACKINGMORE, carrier)
                tm_expected[f"{code}/{number}"] = {number}
            useepay = {k: [n for _, n in v] for k, v in admin.useepay_state(acc.merchant_no).items()}
            shopline = {k: [n for _, n in v] for k, v in admin.shopline_state(acc.handle).items()}
            tm = {f"{c}/{n}": [n] for c, n in tm_actual.get(acc.email, [])}
            _compare(verdict, f"useepay[{mid}]", by_intent, useepay)
            _compare(verdict, f"shopline[{mid}]", by_fulfillment, shopline)
            _compare(verdict, f"trackingmore[{mid}]", tm_expected, tm)
            tm_dupes = len(tm_actual.get(acc.email, [])) - len(set(tm_actual.get(acc.email, [])))
            verdict.duplicates += tm_dupes
    finally:
        await engine.dispose()
    return verdict
