"""The send contract every connector speaks: claimed targets in, an outcome per target and a record per call out."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from parcelsync.domain.carriers import CarrierRegistry
from parcelsync.domain.models import Connection, Shipment
from parcelsync.providers.errors import ProviderError

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class ClaimedTarget:
    """One leased target, with the versions as they stood when it was claimed."""

    id: int
    key: str
    desired_version: int
    acked_version: int
    attempts: int
    queued_at: datetime
    last_outcome: dict[str, Any] | None = None
    """What the previous attempt recorded (a connector may keep its acknowledged state there)."""


@dataclass(frozen=True, slots=True)
class TargetSnapshot:
    """One claimed target, the version read before its shipments, and those shipments (oldest first).

    `shipments` holds the live parcels; for a connector that tracks deletions, `deleted` is the
    parcel when it is gone.
    """

    target: ClaimedTarget
    version: int
    shipments: tuple[Shipment, ...]
    deleted: Shipment | None = None
    removed: tuple[Shipment, ...] = ()
    """For a connector that tracks deletions: every deleted parcel behind the target (live ones or not)."""

    @property
    def key(self) -> str:
        return self.target.key


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One outbound provider call as the audit log keeps it (already redacted by the client)."""

    method: str
    path: str
    status: int | None
    latency_ms: float
    target_keys: tuple[str, ...]
    trace_id: str | None = None
    request_summary: dict[str, Any] | None = None
    response_summary: dict[str, Any] | None = None
    error: ProviderError | BaseException | None = None

    @property
    def error_code(self) -> str:
        """A short label for metrics: "ok", the provider's error code, or the error class."""
        if self.error is None:
            return "ok"
        if isinstance(self.error, ProviderError) and self.error.code:
            return str(self.error.code)
        if isinstance(self.error, ProviderError) and self.error.status_code:
            return str(self.error.status_code)
        return type(self.error).__name__


@dataclass(frozen=True, slots=True)
class TargetResult:
    """What became of one target: success (error None) or the error that decides its retry."""

    snapshot: TargetSnapshot
    error: BaseException | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    results: list[TargetResult]
    calls: list[CallRecord]


@dataclass(frozen=True, slots=True)
class SendContext:
    """Everything an adapter needs besides the snapshots: the connection, its client, the carrier names."""

    connection: Connection
    client: object
    registry: CarrierRegistry


def _summaries(summary: dict[str, Any] | None) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Split a client's `.summary` into request and response parts (SHOPLINE's is flat)."""
    if not summary:
        return None, None
    if "request" in summary or "response" in summary:
        return summary.get("request"), summary.get("response")
    request = {k: v for k, v in summary.items() if k.startswith("request") or k in ("method", "url", "api_version")}
    response = {k: v for k, v in summary.items() if k not in request}
    return request, response


async def timed_call(
    method: str,
    path: str,
    keys: Sequence[str],
    call: Callable[[], Awaitable[R]],
    calls: list[CallRecord],
    *,
    request_summary: dict[str, Any] | None = None,
) -> R:
    """Run one provider call, append its audit record to `calls`, and return or re-raise its result."""
    started = time.monotonic()
    try:
        result = await call()
    except Exception as exc:
        latency = (time.monotonic() - started) * 1000
        summary = getattr(exc, "summary", None)
        req, resp = _summaries(summary) if summary else (request_summary, None)
        status = exc.status_code if isinstance(exc, ProviderError) else None
        trace = exc.trace_id if isinstance(exc, ProviderError) else None
        calls.append(CallRecord(method, path, status, latency, tuple(keys), trace, req, resp, exc))
        raise
    latency = (time.monotonic() - started) * 1000
    summary = getattr(result, "summary", None)
    req, resp = _summaries(summary) if summary else (request_summary, None)
    status = getattr(result, "status_code", None) or 200
    calls.append(CallRecord(method, path, status, latency, tuple(keys), getattr(result, "trace_id", None), req, resp))
    return result
