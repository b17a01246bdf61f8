"""The webhook dispatcher: N async tasks that claim due deliveries, POST them signed, and record the outcome.

One step = claim and read what to send (one short transaction) → POST every claimed delivery (no
transaction open, at most `concurrency` at once) → record attempts, decisions and endpoint changes
(one transaction). Deliveries are never sent from the request that caused the event: the API only
commits the event and its pending deliveries; a dispatcher picks them up.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import cast

import httpx
from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from parcelsync.db.base import utcnow
from parcelsync.db.crypto import CredentialCipher
from parcelsync.db.engine import unit_of_work
from parcelsync.db.tables import EventRow, OutboundAttemptRow, WebhookEndpointRow
from parcelsync.events import EventType, record_event
from parcelsync.logging import get_logger
from parcelsync.outbound import deliveries
from parcelsync.outbound.deliveries import ClaimedDelivery, DeliveryOutbox
from parcelsync.outbound.endpoints import disable_once, endpoint_secrets
from parcelsync.outbound.messages import AttemptResult, event_body, post_signed
from parcelsync.outbound.policy import Dead, Delivered, DeliveryPolicy, DisableEndpoint, RetryAt
from parcelsync.outbound.signing import message_id
from parcelsync.settings import Settings

Clock = Callable[[], datetime]
EndpointDisabled = Callable[[WebhookEndpointRow, str], Awaitable[None]]
log = get_logger("parcelsync.outbound.dispatcher")


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One claimed delivery, ready to POST."""

    delivery: ClaimedDelivery
    url: str
    secrets: list[str]
    msg_id: str
    event_type: str
    body: str


def dispatcher_id() -> str:
    return f"webhooks:{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Dispatcher:
    """Delivers outbound webhooks; `run()` until `stop()`, or `run_once()` to drain what is due (tests, CLI)."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings,
        *,
        cipher: CredentialCipher,
        http: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock = utcnow,
        policy: DeliveryPolicy | None = None,
        owner: str | None = None,
        concurrency: int | None = None,
        batch_size: int = 100,
        on_disabled: EndpointDisabled | None = None,
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.cipher = cipher
        self.clock = clock
        self.policy = policy or DeliveryPolicy(window_s=settings.webhook_retry_window_h * 3600)
        self.concurrency = max(1, concurrency or settings.webhook_concurrency)
        lease = max(settings.lease_seconds, settings.webhook_timeout_s * 3)
        self.outbox = DeliveryOutbox(owner=owner or dispatcher_id(), lease_seconds=lease, batch_size=batch_size)
        self._own_http = http is None
        self.http = http if http is not None else httpx.AsyncClient(transport=transport, follow_redirects=False)
        self.on_disabled = on_disabled
        self._sending = asyncio.Semaphore(self.concurrency)
        self._stop = asyncio.Event()
        self.delivered = 0

    @property
    def owner(self) -> str:
        return self.outbox.owner

    async def aclose(self) -> None:
        if self._own_http:
            await self.http.aclose()

    async def claim(self, *, limit: int | None = None) -> list[Outgoing]:
        """Lease due deliveries and build their signed requests (one transaction)."""
        async with unit_of_work(self.sessions) as session:
            now = self.clock()
            claimed = await self.outbox.claim(session, now, limit=limit)
            if not claimed:
                return []
            events = {
                e.id: e
                for e in await session.scalars(select(EventRow).where(EventRow.id.in_({c.event_id for c in claimed})))
            }
            endpoints = {
                e.id: e
                for e in await session.scalars(
                    select(WebhookEndpointRow).where(WebhookEndpointRow.id.in_({c.endpoint_id for c in claimed}))
                )
            }
            secrets = {eid: endpoint_secrets(self.cipher, row, now) for eid, row in endpoints.items()}
            out: list[Outgoing] = []
            for c in claimed:
                event = events.get(c.event_id)
                if event is None:  # pruned by retention before it could be delivered
                    await deliveries.finish(session, c.id, self.owner, state="dead", reason="event expired")
                    continue
                msg_id = message_id(event.id)
                data = {**event.data, "shipment_id": event.shipment_id}
                body = event_body(msg_id, event.type, event.created_at, data)
                out.append(Outgoing(c, endpoints[c.endpoint_id].url, secrets[c.endpoint_id], msg_id, event.type, body))
            return out

    async def send(self, item: Outgoing) -> AttemptResult:
        async with self._sending:
            return await post_signed(
                self.http,
                item.url,
                secrets=item.secrets,
                msg_id=item.msg_id,
                body=item.body,
                allow_private=self.settings.webhook_allow_private_urls,
                timeout_s=self.settings.webhook_timeout_s,
            )

    async def step(self, *, limit: int | None = None) -> int:
        """Claim, send and record one batch; returns how many deliveries it tried (0: nothing due)."""
        batch = await self.claim(limit=limit)
        if not batch:
            return 0
        try:
            results = await asyncio.gather(*(self.send(item) for item in batch))
        except BaseException:
            await asyncio.shield(self._release(batch))
            raise
        await asyncio.shield(self.record(list(zip(batch, results, strict=True))))
        return len(batch)

    async def _release(self, batch: list[Outgoing]) -> None:
        async with unit_of_work(self.sessions) as session:
            await deliveries.release(session, [b.delivery.id for b in batch], self.owner)

    async def record(self, outcomes: list[tuple[Outgoing, AttemptResult]]) -> None:
        """Write the attempts and what the policy decided, in one transaction."""
        disabled: list[tuple[WebhookEndpointRow, str]] = []
        async with unit_of_work(self.sessions) as session:
            now = self.clock()
            ids = {item.delivery.endpoint_id for item, _ in outcomes}
            endpoints = {
                e.id: e for e in await session.scalars(select(WebhookEndpointRow).where(WebhookEndpointRow.id.in_(ids)))
            }
            attempts: list[dict[str, object]] = []
            delivered: list[dict[str, object]] = []
            for item, result in outcomes:
                d = item.delivery
                attempts.append(
                    {
                        "merchant_id": d.merchant_id,
                        "endpoint_id": d.endpoint_id,
                        "delivery_id": d.id,
                        "event_id": d.event_id,
                        "message_id": item.msg_id,
                        "event_type": item.event_type,
                        "at": now,
                        "attempt": d.attempts + 1,
                        "status": result.status,
                        "latency_ms": round(result.latency_ms, 3),
                        "response_excerpt": result.excerpt,
                        "error": result.error,
                    }
                )
                endpoint = endpoints.get(d.endpoint_id)
                if endpoint is None:
                    continue
                decision = self.policy.decide(
                    attempts=d.attempts,
                    status=result.status,
                    error=result.error,
                    queued_at=d.queued_at,
                    failing_since=endpoint.failing_since,
                    now=now,
                )
                if isinstance(decision, Delivered):
                    delivered.append({"delivery_id": d.id, "attempts": d.attempts + 1, "status": result.status})
                    endpoint.failing_since = None
                    continue
                endpoint.failing_since = endpoint.failing_since or now
                if isinstance(decision, DisableEndpoint):
                    await deliveries.finish(
                        session,
                        d.id,
                        self.owner,
                        attempts=d.attempts + 1,
                        last_status=result.status,
                        reason=decision.reason,
                        next_attempt_at=now,
                    )
                    if endpoint.enabled and await disable_once(session, endpoint, now=now, reason=decision.reason):
                        disabled.append((endpoint, decision.reason))
                elif isinstance(decision, Dead):
                    await deliveries.finish(
                        session,
                        d.id,
                        self.owner,
                        state="dead",
                        attempts=d.attempts + 1,
                        last_status=result.status,
                        reason=decision.reason,
                    )
                elif isinstance(decision, RetryAt):
                    await deliveries.finish(
                        session,
                        d.id,
                        self.owner,
                        attempts=d.attempts + 1,
                        last_status=result.status,
                        reason=decision.reason,
                        next_attempt_at=decision.when,
                    )
            await session.execute(insert(cast(Table, OutboundAttemptRow.__table__)), attempts)
            self.delivered += await deliveries.finish_delivered(session, delivered, self.owner, now=now)
            await session.flush()
            for endpoint, reason in disabled:
                data = {"endpoint_id": endpoint.id, "url": endpoint.url, "reason": reason}
                await record_event(
                    session,
                    endpoint.merchant_id,
                    EventType.WEBHOOK_ENDPOINT_DISABLED,
                    data,
                    subject=f"webhook_endpoint:{endpoint.id}",
                    now=now,
                )
        for endpoint, reason in disabled:
            log.warning(
                "webhook_endpoint_disabled", endpoint_id=endpoint.id, merchant_id=endpoint.merchant_id, reason=reason
            )
            if self.on_disabled is not None:
                try:
                    await self.on_disabled(endpoint, reason)
                except Exception:
                    log.exception("webhook_disabled_notice_failed", endpoint_id=endpoint.id)

    # -- loops ---------------------------------------------------------------------------------

    async def run_once(self) -> int:
        """Deliver everything due now (several steps at once); returns how many deliveries were tried."""
        total = 0

        async def drain() -> None:
            nonlocal total
            while n := await self.step():
                total += n

        await asyncio.gather(*(drain() for _ in range(max(1, self.concurrency // 8))))
        return total

    def stop(self) -> None:
        self._stop.set()

    async def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                busy = await self.step()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("webhook_step_failed")
                busy = 0
            if not busy:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stop.wait(), timeout=self.settings.worker_poll_interval_s)

    async def run(self, *, grace_s: float = 10.0) -> None:
        """Deliver until `stop()`; in-flight batches get `grace_s` to finish, the rest are handed back."""
        tasks = [asyncio.create_task(self._loop()) for _ in range(max(1, self.concurrency // 8))]
        try:
            await self._stop.wait()
        finally:
            self._stop.set()
            _, pending = await asyncio.wait(tasks, timeout=grace_s)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
