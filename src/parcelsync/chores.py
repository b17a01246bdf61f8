"""What the worker does besides syncing: the notification chores and the webhook dispatcher beside it.

`NotifyChores` is a housekeeping callable for `Worker.run` (it runs the inner one, e.g. the audit
prune, too). At most every `housekeeping_interval_s` it prunes events past their retention and, for
each merchant it can claim (never two workers on one merchant), refreshes the transit statistics when
due, evaluates the alert rules, mails new critical alerts and, once a day, the digest. `delivering`
runs a webhook `Dispatcher` next to a worker for the duration of a block.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from parcelsync.alerts.claim import chores_row, claim_merchant, merchant_ids, release_merchant
from parcelsync.alerts.evaluate import evaluate_merchant
from parcelsync.alerts.mail import Mailer
from parcelsync.alerts.notify import recipient, send_critical, send_digest
from parcelsync.db.base import utcnow
from parcelsync.db.crypto import CredentialCipher
from parcelsync.db.engine import unit_of_work
from parcelsync.db.tables import WebhookEndpointRow
from parcelsync.events.feed import prune_events
from parcelsync.expected.store import refresh_transit_stats
from parcelsync.logging import get_logger
from parcelsync.outbound.dispatcher import Dispatcher
from parcelsync.outbound.log import prune_delivery_log
from parcelsync.settings import Settings

log = get_logger("parcelsync.chores")


class NotifyChores:
    """Event retention (and whatever `inner` does), at most once per interval."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings,
        *,
        inner: Callable[[], Awaitable[Any]] | None = None,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = utcnow,
        owner: str | None = None,
        mailer: Mailer | None = None,
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.inner = inner
        self._clock = clock
        self._now = now
        self._last: float | None = None
        self.owner = owner or f"chores:{uuid.uuid4().hex[:12]}"
        self.mailer = mailer or (Mailer.from_url(settings.smtp_url, settings.smtp_from) if settings.smtp_url else None)

    async def __call__(self) -> None:
        if self.inner is not None:
            await self.inner()
        now = self._clock()
        if self._last is not None and now - self._last < self.settings.housekeeping_interval_s:
            return
        self._last = now
        await self.run_once()

    async def run_once(self) -> int:
        """One pass: retention, then every merchant this worker can claim; returns how many it handled."""
        older = self._now() - timedelta(days=self.settings.event_retention_days)
        pruned = await prune_events(self.sessions, older_than=older)
        log_rows = await prune_delivery_log(self.sessions, older_than=older)
        if pruned or log_rows:
            log.info("events_pruned", events=pruned, delivery_log_rows=log_rows)
        async with self.sessions() as session:
            merchants = await merchant_ids(session)
        handled = 0
        for merchant_id in merchants:
            try:
                handled += await self.merchant(merchant_id)
            except Exception:
                log.exception("merchant_chores_failed", merchant_id=merchant_id)
        return handled

    async def merchant(self, merchant_id: str) -> bool:
        """Claim one merchant's chores, do them, release; False when another worker holds them."""
        now = self._now()
        lease = max(60.0, self.settings.housekeeping_interval_s)
        async with unit_of_work(self.sessions) as session:
            if not await claim_merchant(session, merchant_id, owner=self.owner, now=now, lease_s=lease):
                return False
            row = await chores_row(session, merchant_id)
            transit_due = row is None or row.transit_due_at is None or row.transit_due_at <= now
            digest_due = row is None or row.digest_due_at is None or row.digest_due_at <= now
        after: dict[str, Any] = {}
        try:
            async with unit_of_work(self.sessions) as session:
                if transit_due:
                    await refresh_transit_stats(
                        session, merchant_id, now=now, min_samples=self.settings.expected_min_samples
                    )
                    after["transit_due_at"] = now + timedelta(seconds=self.settings.transit_refresh_interval_s)
                result = await evaluate_merchant(session, merchant_id, now=now)
            if result.raised or result.resolved:
                log.info("alerts", merchant_id=merchant_id, raised=len(result.raised), resolved=len(result.resolved))
            if self.mailer is not None:
                async with unit_of_work(self.sessions) as session:
                    await send_critical(session, self.mailer, merchant_id, now=now)
                if digest_due:
                    async with self.sessions() as session:
                        try:
                            await send_digest(session, self.mailer, merchant_id, now=now)
                        except Exception as exc:
                            log.warning("digest_mail_failed", merchant_id=merchant_id, error=type(exc).__name__)
                    after["digest_due_at"] = now + timedelta(days=1)
        finally:
            async with unit_of_work(self.sessions) as session:
                await release_merchant(session, merchant_id, owner=self.owner, **after)
        return True

    async def endpoint_disabled(self, endpoint: WebhookEndpointRow, reason: str) -> None:
        """The e-mail for a webhook endpoint the dispatcher switched off (to the merchant's alert address)."""
        if self.mailer is None:
            return
        async with self.sessions() as session:
            to = await recipient(session, endpoint.merchant_id)
        if to is not None:
            body = (
                f"parcelsync stopped sending webhooks to {endpoint.url}: {reason}.\n\nNothing was dropped: "
                "its deliveries wait. Fix the receiver, then switch the endpoint on again (PATCH enabled=true).\n"
            )
            await self.mailer.send(to, f"[parcelsync] webhook endpoint {endpoint.id} disabled", body)


@asynccontextmanager
async def delivering(
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    cipher: CredentialCipher,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    chores: NotifyChores | None = None,
) -> AsyncIterator[Dispatcher]:
    """Run a webhook dispatcher in a background task for the duration of the block, then stop it."""
    notice = (chores or NotifyChores(sessions, settings)).endpoint_disabled
    dispatcher = Dispatcher(sessions, settings, cipher=cipher, transport=transport, on_disabled=notice)
    task = asyncio.create_task(dispatcher.run())
    try:
        yield dispatcher
    finally:
        dispatcher.stop()
        await task
        await dispatcher.aclose()
