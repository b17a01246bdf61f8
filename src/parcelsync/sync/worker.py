"""The sync worker: N async tasks that claim due targets, send them, and record what happened.

One step = claim (a short transaction) → read the connection and each target's full current set
(a read transaction) → call the provider (no transaction open) → record acks, retries, parks,
pauses and the audit rows (one transaction). Several workers may run, in one process or many:
the outbox's leases keep them apart. Graceful shutdown lets the in-flight steps finish; a step
cancelled anyway hands its claim back so another worker takes it at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import httpx
from sqlalchemy import Table, insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from parcelsync.connectors.calls import BatchOutcome, SendContext, TargetResult, TargetSnapshot
from parcelsync.connectors.registry import connector_for
from parcelsync.db.base import utcnow
from parcelsync.db.crypto import CredentialCipher, SecretKeyError
from parcelsync.db.engine import unit_of_work
from parcelsync.db.queries.connections import load_connection
from parcelsync.db.tables import AuditRow
from parcelsync.events import sync as sync_events
from parcelsync.logging import get_logger
from parcelsync.metrics import CALL_LATENCY, CALLS, OUTCOMES, RATE_LIMITED, SYNC_LATENCY, refresh_outbox_gauges
from parcelsync.payments.receipts import record_receipts
from parcelsync.providers.errors import AuthError, ProviderError, RateLimited
from parcelsync.providers.http import default_client, worker_transport
from parcelsync.settings import Settings
from parcelsync.sync import outbox
from parcelsync.sync.claim_context import Connections, MerchantSync, read_merchant
from parcelsync.sync.clients import ClientCache, MissingCredential
from parcelsync.sync.outbox import Claim, Outbox
from parcelsync.sync.retry import GiveUp, RetryPolicy
from parcelsync.sync.snapshot import load_snapshots
from parcelsync.sync.statuses import claim_poll, poll_merchant, polled_connections
from parcelsync.sync.tracking_links import PageLinker

Clock = Callable[[], datetime]
log = get_logger("parcelsync.sync.worker")

@dataclass(frozen=True, slots=True)
class Prepared:
    """A claim ready to send: the adapter's context and the targets' snapshots."""

    context: SendContext
    snapshots: list[TargetSnapshot]


def worker_id() -> str:
    """A lease owner name unique to this worker instance: host, pid and a random suffix."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _error_code(error: BaseException) -> str:
    if isinstance(error, ProviderError):
        return str(error.code or error.status_code or type(error).__name__)
    return type(error).__name__


class Worker:
    """Claims and syncs outbox targets; `run()` until `stop()`, or `run_once()` to drain (tests, CLI)."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        http: httpx.AsyncClient | None = None,
        clock: Clock = utcnow,
        cipher: CredentialCipher | None = None,
        policy: RetryPolicy | None = None,
        concurrency: int | None = None,
        owner: str | None = None,
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.clock = clock
        self.concurrency = max(1, concurrency or settings.worker_concurrency)
        self.page_linker = PageLinker.from_settings(settings)
        self.outbox = Outbox(owner=owner or worker_id(), lease_seconds=settings.lease_seconds)
        self.policy = policy or RetryPolicy(settings.backoff_base_s, settings.backoff_cap_s, settings.max_attempts)
        self._cipher = cipher
        self._own_http = http is None
        self.http = http if http is not None else default_client(transport=transport or worker_transport())
        self.clients = ClientCache(self.http)
        self.connections = Connections(self.clients, lambda: self.cipher)
        self._stop = asyncio.Event()
        self._inflight: dict[int, Claim] = {}
        self.batches = 0

    @property
    def owner(self) -> str:
        return self.outbox.owner

    @property
    def cipher(self) -> CredentialCipher:
        if self._cipher is None:
            self._cipher = CredentialCipher(self.settings.secret_key or "")
        return self._cipher

    async def aclose(self) -> None:
        if self._own_http:
            await self.http.aclose()

    async def __aenter__(self) -> Worker:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    # -- one step ------------------------------------------------------------------------------

    async def step(self, *, merchant_id: str | None = None) -> bool:
        """Claim one batch and sync it; False when nothing was due.

        The claim and the read of what to send share one transaction (one connection, not two).
        """
        async with unit_of_work(self.sessions) as session:
            claim = await self.outbox.claim(session, self.clock(), merchant_id=merchant_id)
            if claim is None:
                return False
            work = await self._prepare(session, claim)
        await self.process(claim, work)
        return True

    async def process(self, claim: Claim, work: Prepared | BatchOutcome | None) -> None:
        """Send one claim and record the outcome; if cancelled before recording, release the claim.

        While the call is in flight a heartbeat renews the leases every third of the lease time, so a
        slow provider never lets another worker take the same targets meanwhile.
        """
        self._inflight[id(claim)] = claim
        heartbeat = asyncio.create_task(self._heartbeat(claim))
        try:
            try:
                result = await self._send(claim, work) if isinstance(work, Prepared) else work
            except BaseException:
                await asyncio.shield(self._release(claim))
                raise
            finally:
                heartbeat.cancel()
            if result is None:
                await self._release(claim)
                return
            await asyncio.shield(self._record(claim, result))
            self.batches += 1
        finally:
            self._inflight.pop(id(claim), None)

    async def _heartbeat(self, claim: Claim) -> None:
        interval = self.outbox.lease.total_seconds() / 3
        ids = [t.id for t in claim.targets]
        while True:
            await asyncio.sleep(interval)
            try:
                async with unit_of_work(self.sessions) as session:
                    await outbox.extend(session, ids, owner=claim.owner, until=self.clock() + self.outbox.lease)
            except Exception:
                log.exception("lease_heartbeat_failed", provider=claim.provider.value)

    async def _release(self, claim: Claim) -> None:
        async with unit_of_work(self.sessions) as session:
            await outbox.release(session, [t.id for t in claim.targets], owner=claim.owner)

    async def _prepare(self, session: AsyncSession, claim: Claim) -> Prepared | BatchOutcome | None:
        """What to send: the snapshots, the connection's client and carrier names (None: connection gone)."""
        merchant = await read_merchant(session, claim.merchant_id)
        stored = merchant.connections.get(claim.provider.value)
        if stored is None:
            return None
        try:
            connection = self.connections.connection(claim.merchant_id, stored)
            if not connection.enabled:
                return None
            client = self.connections.client(connection)
        except (SecretKeyError, MissingCredential) as exc:
            error = AuthError(str(exc), provider=claim.provider.value)
            snapshots = await self._snapshots(session, claim, merchant)
            return BatchOutcome([TargetResult(s, error) for s in snapshots], [])
        snapshots = await self._snapshots(session, claim, merchant)
        registry = await merchant.registry(session)
        return Prepared(SendContext(connection, client, registry), snapshots)

    async def _snapshots(self, session: AsyncSession, claim: Claim, merchant: MerchantSync) -> list[TargetSnapshot]:
        return await load_snapshots(
            session, claim, self.page_linker, gateway=merchant.gateway, page_links=merchant.page_links
        )

    async def _send(self, claim: Claim, work: Prepared) -> BatchOutcome:
        try:
            return await connector_for(claim.provider).send(work.context, work.snapshots)
        except Exception as exc:  # a bug or bad data in mapping: retried with backoff, then dead, never lost
            log.exception("sync_send_failed", provider=claim.provider.value, merchant_id=claim.merchant_id)
            return BatchOutcome([TargetResult(s, exc, {"result": "error"}) for s in work.snapshots], [])

    async def _record(self, claim: Claim, result: BatchOutcome) -> None:
        now = self.clock()
        at = now.isoformat()
        provider = claim.provider.value
        meters = _meters(provider)
        pause: tuple[datetime, str] | None = None
        acks: list[outbox.Ack] = []
        async with unit_of_work(self.sessions) as session:
            for item in result.results:
                target = item.snapshot.target
                if item.error is None:
                    outcome = {**item.detail, "at": at, "version": item.snapshot.version, "worker": claim.owner,
                               "ok": True}
                    acks.append(outbox.Ack(target.id, item.snapshot.version, outcome))
                    meters.latency.observe(max(0.0, (now - target.queued_at).total_seconds()))
                    continue
                code = _error_code(item.error)
                outcome = {
                    **item.detail, "at": at, "version": item.snapshot.version, "worker": claim.owner,
                    "ok": False, "error": code, "reason": _reason(item.error),
                }
                decision = self.policy.decide(target.attempts, item.error, now)
                if isinstance(decision, GiveUp):
                    await outbox.give_up(
                        session, target.id, owner=claim.owner, state=decision.state,
                        sent_version=item.snapshot.version, reason=decision.reason, now=now, outcome=outcome,
                    )
                    OUTCOMES.labels(provider, decision.state, code).inc()
                    await sync_events.target_failed(session, claim.merchant_id, provider, target.key, decision)
                    continue
                await outbox.reschedule(
                    session, target.id, owner=claim.owner, when=decision.when, reason=decision.reason,
                    counts=decision.counts, now=now, outcome=outcome,
                )
                if decision.pause_until is not None and (pause is None or decision.pause_until > pause[0]):
                    pause = (decision.pause_until, decision.reason)
                OUTCOMES.labels(provider, "paused" if decision.pause_until else "retry", code).inc()
            if acks:
                meters.synced.inc(len(acks))
            await outbox.ack_many(session, acks, owner=claim.owner, now=now)
            await sync_events.targets_synced(session, claim.merchant_id, provider, result.results)
            await record_receipts(session, claim, result, now)
            if pause is not None:
                until, why = pause
                await outbox.pause_connection(session, claim.merchant_id, claim.provider, until=until, reason=why)
                await sync_events.connection_paused(session, claim.merchant_id, provider, until, why)
                log.warning(
                    "connection_paused", provider=provider, merchant_id=claim.merchant_id, reason=why,
                    until=until.isoformat(),
                )
            elif acks:
                await outbox.clear_pause(session, claim.merchant_id, claim.provider, now=now)
                await sync_events.connection_resumed(session, claim.merchant_id, provider)
            attempt = 1 + max((t.attempts for t in claim.targets), default=0)
            if result.calls:
                await session.execute(AUDIT_INSERT, [_audit_row(claim, call, attempt, now) for call in result.calls])
            for call in result.calls:
                CALLS.labels(provider, call.error_code).inc()
                meters.call_latency(call.method).observe(call.latency_ms / 1000)
                if isinstance(call.error, RateLimited):
                    RATE_LIMITED.labels(provider).inc()
            done = {r.snapshot.target.id for r in result.results}
            missing = [t.id for t in claim.targets if t.id not in done]
            if missing:
                await outbox.release(session, missing, owner=claim.owner)

    # -- loops ---------------------------------------------------------------------------------

    async def run_once(self, *, merchant_id: str | None = None) -> int:
        """Drain: every task claims until nothing is due. Returns the number of batches synced."""
        before = self.batches

        async def drain() -> None:
            while await self.step(merchant_id=merchant_id):
                pass

        await asyncio.gather(*(drain() for _ in range(self.concurrency)))
        return self.batches - before

    async def poll_once(self) -> int:
        """Poll every status-intake connection that asked for polling and whose poll is due (claimed in the
        database, so several worker processes never poll one connection twice); returns the updates applied."""
        async with self.sessions() as session:
            due = await polled_connections(session, self.clock())
        applied = 0
        for merchant_id, provider in due:
            async with unit_of_work(self.sessions) as session:
                if not await claim_poll(session, merchant_id, self.clock(), self.settings.poll_interval_s, provider):
                    continue
            async with self.sessions() as session:
                connection = await load_connection(session, self.cipher, merchant_id, provider)
            if connection is None:
                continue
            try:
                client = self.clients.get(connection)
                applied += await poll_merchant(self.sessions, client, merchant_id, now=self.clock(), provider=provider)
            except (ProviderError, MissingCredential) as exc:
                log.warning("poll_failed", merchant_id=merchant_id, provider=provider.value, reason=_reason(exc))
        return applied

    def stop(self) -> None:
        """Ask `run()` to finish: no new claims; in-flight batches complete."""
        self._stop.set()

    async def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                busy = await self.step()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("sync_step_failed")
                busy = False
            if not busy:
                await self._idle(self.settings.worker_poll_interval_s)

    async def _idle(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), timeout=seconds)

    async def _housekeeping(self, extra: Callable[[], Any] | None) -> None:
        while not self._stop.is_set():
            try:
                async with self.sessions() as session:
                    await refresh_outbox_gauges(session, self.clock())
                await self.poll_once()
                if extra is not None:
                    await extra()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("sync_housekeeping_failed")
            await self._idle(max(1.0, self.settings.worker_poll_interval_s * 10))

    async def run(self, *, grace_s: float | None = None, housekeeping: Callable[[], Any] | None = None) -> None:
        """Work until `stop()`; then wait up to `grace_s` for in-flight batches, cancelling (releasing) the rest."""
        log.info("worker_started", owner=self.owner, concurrency=self.concurrency)
        tasks = [asyncio.create_task(self._loop()) for _ in range(self.concurrency)]
        tasks.append(asyncio.create_task(self._housekeeping(housekeeping)))
        try:
            await self._stop.wait()
        finally:
            self._stop.set()
            grace = self.settings.lease_seconds / 2 if grace_s is None else grace_s
            _, pending = await asyncio.wait(tasks, timeout=grace)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
            log.info("worker_stopped", owner=self.owner, batches=self.batches, claims=self.outbox.stats.as_dict())


def _reason(error: BaseException) -> str:
    return error.reason if isinstance(error, ProviderError) else f"{type(error).__name__}: {error}"


AUDIT_INSERT = insert(cast(Table, AuditRow.__table__))
"""The audit rows of a batch, one executemany (Core: no ORM objects to build and flush)."""


def _audit_row(claim: Claim, call: Any, attempt: int, now: datetime) -> dict[str, Any]:
    return {
        "at": now - timedelta(milliseconds=call.latency_ms),
        "merchant_id": claim.merchant_id,
        "provider": claim.provider.value,
        "method": call.method,
        "path": call.path[:1000],
        "status": call.status,
        "latency_ms": round(call.latency_ms, 3),
        "attempt": attempt,
        "trace_id": call.trace_id,
        "target_keys": list(call.target_keys),
        "request_summary": call.request_summary,
        "response_summary": call.response_summary,
        "error": _reason(call.error) if call.error is not None else None,
    }


@dataclass(frozen=True, slots=True)
class _Meters:
    """One provider's Prometheus children, looked up once (`.labels()` takes a lock and builds a key per call)."""

    synced: Any
    latency: Any
    methods: dict[str, Any]
    provider: str

    def call_latency(self, method: str) -> Any:
        child = self.methods.get(method)
        if child is None:
            child = self.methods[method] = CALL_LATENCY.labels(self.provider, method)
        return child


@functools.cache
def _meters(provider: str) -> _Meters:
    return _Meters(OUTCOMES.labels(provider, "synced", "ok"), SYNC_LATENCY.labels(provider), {}, provider)
