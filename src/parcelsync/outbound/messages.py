"""What a delivery sends: the JSON body of an event and one HTTP attempt at a receiver."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson

from parcelsync.outbound.signing import signed_headers
from parcelsync.outbound.ssrf import UnsafeUrl, check_resolved

EXCERPT_BYTES = 1024


def event_body(msg_id: str, event_type: str, created_at: datetime, data: dict[str, Any], **extra: Any) -> str:
    """The Standard Webhooks payload shape: `type`, `timestamp` and `data` (plus the event's id)."""
    payload = {"id": msg_id, "type": event_type, "timestamp": created_at.isoformat(), "data": data, **extra}
    return orjson.dumps(payload).decode()


@dataclass(frozen=True, slots=True)
class AttemptResult:
    """How one POST went: the status (None when no answer came), latency, first 1 KB of the answer, error."""

    status: int | None
    latency_ms: float
    excerpt: str
    error: str | None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


async def post_signed(
    http: httpx.AsyncClient,
    url: str,
    *,
    secrets: list[str],
    msg_id: str,
    body: str,
    allow_private: bool,
    timeout_s: float,
) -> AttemptResult:
    """Check the URL's addresses, sign with the wall clock (receivers check it), POST, read at most 1 KB back."""
    started = time.perf_counter()
    try:
        await check_resolved(url, allow_private=allow_private)
    except UnsafeUrl as exc:
        return AttemptResult(None, 0.0, "", f"blocked: {exc}")
    headers = signed_headers(secrets, msg_id, datetime.now(UTC), body)
    try:
        async with http.stream("POST", url, content=body.encode(), headers=headers, timeout=timeout_s) as response:
            chunk = b""
            async for part in response.aiter_bytes():
                chunk += part
                if len(chunk) >= EXCERPT_BYTES:
                    break
            latency = (time.perf_counter() - started) * 1000
            text = chunk[:EXCERPT_BYTES].decode("utf-8", errors="replace")
            return AttemptResult(response.status_code, latency, text, None)
    except httpx.HTTPError as exc:
        latency = (time.perf_counter() - started) * 1000
        return AttemptResult(None, latency, "", f"{type(exc).__name__}: {exc}"[:500])
