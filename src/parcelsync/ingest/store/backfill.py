"""Backfill from the store: page through its orders of a period and apply every fulfillment, resumably.

Each page is applied and its successor cursor stored in ONE transaction, so an interrupted run
(killed, crashed, store down) resumes at the first page not yet applied, and a page half-done
when killed is simply applied again (applying a store set twice changes nothing). A second run
over a finished one starts from the first page and finds everything `same`. Every call waits for
the store's bucket (the reader's limiter), so a healthy backfill never meets a 429.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from parcelsync.connectors.carriers import default_registry
from parcelsync.connectors.inbound import StoreSource, inbound_enabled
from parcelsync.connectors.urls import resolved
from parcelsync.db.crypto import CredentialCipher
from parcelsync.db.engine import unit_of_work
from parcelsync.db.queries.carrier_overrides import registry_for
from parcelsync.db.queries.connections import load_connection
from parcelsync.db.tables import InboundBackfillRow
from parcelsync.ingest.store.apply import apply_store_fulfillments, attach_payment
from parcelsync.ingest.store.ownership import effective_source_of_truth

RESUME_TOLERANCE = timedelta(days=1)


class NoStoreConnection(LookupError):
    """The merchant has no enabled connection to this store."""


@dataclass(frozen=True, slots=True)
class BackfillProgress:
    """Where a run stands, after each page (and at the end: `state` done or failed)."""

    state: str
    since: datetime
    pages: int
    fulfillments: int
    changed: int
    rejected: int
    resumed: bool
    pass_index: int
    passes: int
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "state": self.state, "since": self.since.isoformat(), "pages": self.pages,
            "fulfillments": self.fulfillments, "changed": self.changed, "rejected": self.rejected,
            "resumed": self.resumed, "error": self.error,
        }


def _progress(row: InboundBackfillRow, resumed: bool, passes: int) -> BackfillProgress:
    cursor = row.cursor or {}
    return BackfillProgress(
        row.state, row.since, row.pages, row.fulfillments, row.changed, row.rejected, resumed,
        int(cursor.get("pass", 0)), passes, row.error,
    )


async def backfill_status(session: AsyncSession, source: StoreSource, merchant_id: str) -> BackfillProgress | None:
    row = await _row(session, source, merchant_id)
    return _progress(row, False, len(source.backfill_passes)) if row is not None else None


async def _row(session: AsyncSession, source: StoreSource, merchant_id: str) -> InboundBackfillRow | None:
    return await session.scalar(
        select(InboundBackfillRow).where(
            InboundBackfillRow.merchant_id == merchant_id, InboundBackfillRow.provider == source.provider.value
        )
    )


async def _existing(session: AsyncSession, source: StoreSource, merchant_id: str) -> InboundBackfillRow:
    row = await _row(session, source, merchant_id)
    if row is None:
        raise LookupError("the backfill run was removed while running")
    return row


async def _start(
    session: AsyncSession, source: StoreSource, merchant_id: str, since: datetime, now: datetime
) -> tuple[InboundBackfillRow, bool]:
    """The run to continue (an interrupted one over the same period) or a fresh one; True when resumed."""
    row = await _row(session, source, merchant_id)
    if row is not None and row.state in ("running", "failed") and abs(row.since - since) <= RESUME_TOLERANCE:
        row.state, row.error, row.updated_at = "running", None, now
        return row, True
    if row is None:
        row = InboundBackfillRow(merchant_id=merchant_id, provider=source.provider.value)
        session.add(row)
    row.since, row.state, row.cursor, row.error = since, "running", {"pass": 0, "page_info": None}, None
    row.pages = row.fulfillments = row.changed = row.rejected = 0
    row.started_at = row.updated_at = now
    row.finished_at = None
    await session.flush()
    return row, False


async def run_backfill(
    sessions: async_sessionmaker[AsyncSession],
    cipher: CredentialCipher,
    source: StoreSource,
    merchant_id: str,
    *,
    days: int,
    http: httpx.AsyncClient,
    now: Callable[[], datetime],
    on_page: Callable[[BackfillProgress], None] | None = None,
) -> BackfillProgress:
    """Pull `days` of the store's fulfillments (resuming an interrupted run); returns the final progress."""
    async with unit_of_work(sessions) as session:
        connection = await load_connection(session, cipher, merchant_id, source.provider)
        if connection is None or not connection.enabled:
            raise NoStoreConnection(f"merchant {merchant_id!r} has no enabled {source.provider.value} connection")
        row, resumed = await _start(session, source, merchant_id, now() - timedelta(days=days), now())
        since = row.since
    client = source.client(resolved(connection), http)
    truth = effective_source_of_truth(connection.options, inbound_enabled(connection, source))
    passes = source.backfill_passes
    while True:
        async with unit_of_work(sessions) as session:
            row = await _existing(session, source, merchant_id)
            cursor = dict(row.cursor or {"pass": 0, "page_info": None})
            index = int(cursor.get("pass", 0))
            if index >= len(passes):
                row.state, row.finished_at, row.updated_at = "done", now(), now()
                return _progress(row, resumed, len(passes))
        try:
            page = await client.list_orders(
                updated_at_min=since, fulfillment_status=passes[index], page_info=cursor.get("page_info"),
            )
        except Exception as exc:
            async with unit_of_work(sessions) as session:
                row = await _existing(session, source, merchant_id)
                row.state, row.error, row.updated_at = "failed", str(exc)[:500], now()
            raise
        async with unit_of_work(sessions) as session:
            registry = await registry_for(session, merchant_id, default_registry())
            row = await _existing(session, source, merchant_id)
            found = [f for order in page.orders for f in source.order_fulfillments(order)]
            for applied in await apply_store_fulfillments(
                session, source, merchant_id, found, registry=registry, source_of_truth=truth, now=now(),
            ):
                row.fulfillments += 1
                row.changed += int(applied.changed)
                row.rejected += len(applied.rejected)
            row.pages += 1
            row.cursor = (
                {"pass": index, "page_info": page.next_page_info} if page.next_page_info
                else {"pass": index + 1, "page_info": None}
            )
            row.updated_at = now()
            progress = _progress(row, resumed, len(passes))
        if on_page is not None:
            on_page(progress)


async def lookup_payment(
    sessions: async_sessionmaker[AsyncSession],
    cipher: CredentialCipher,
    source: StoreSource,
    merchant_id: str,
    order_id: str,
    *,
    http: httpx.AsyncClient,
) -> str | None:
    """Fetch the order through the store's API (paced by its bucket) and attach its payment reference."""
    async with sessions() as session:
        connection = await load_connection(session, cipher, merchant_id, source.provider)
    if connection is None:
        return None
    order = await source.client(resolved(connection), http).get_order(order_id)
    reference = source.payment_reference(order) if order else None
    if reference:
        async with unit_of_work(sessions) as session:
            registry = await registry_for(session, merchant_id, default_registry())
            await attach_payment(session, source, merchant_id, order_id, reference, registry=registry)
    return reference
