"""Fault injection shared by every sandbox: latency, 5xx, 429 bursts, timeouts, malformed JSON, resets.

Configured at run time (`PUT /_sandbox/faults` on each sandbox, or `FaultConfig` from Python).
Decisions use a seeded `random.Random`, so a run with a seed is reproducible.

A connection reset (`reset_rate`, `reset_mid_body_rate`) happens after the request was handled:
the provider did the work, but the client never learns the answer (the socket is reset before
the answer, or closed after half of the body), the hardest case for a client's retries.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from enum import StrEnum
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

ErrorBody = Callable[[int, str], dict[str, Any]]


class ResetKind(StrEnum):
    """Where a dropped connection ends: no answer at all, or half of the body."""

    BEFORE_ANSWER = "before_answer"
    MID_BODY = "mid_body"


@dataclass
class FaultConfig:
    """What to break, and how often. Rates are fractions in [0, 1]."""

    latency_ms: float = 0.0
    error_rate: float = 0.0
    error_status: int = 503
    rate_limit_burst: int = 0
    retry_after: float = 1.0
    timeout_rate: float = 0.0
    timeout_seconds: float = 30.0
    malformed_rate: float = 0.0
    reset_rate: float = 0.0
    reset_mid_body_rate: float = 0.0
    seed: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FaultConfig:
        """Build from JSON, rejecting unknown keys and out-of-range rates with ValueError."""
        names = {f.name for f in fields(cls)}
        unknown = set(data) - names
        if unknown:
            raise ValueError(f"unknown fault setting(s): {', '.join(sorted(unknown))}")
        config = cls(**data)
        for name in ("error_rate", "timeout_rate", "malformed_rate", "reset_rate", "reset_mid_body_rate"):
            value = getattr(config, name)
            if not 0.0 <= float(value) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
        return config


class FaultInjector:
    """Decides, per request, whether to misbehave, and produces the misbehaviour."""

    def __init__(self, error_body: ErrorBody, config: FaultConfig | None = None) -> None:
        self._error_body = error_body
        self.configure(config or FaultConfig())
        self.injected: dict[str, int] = {}

    def configure(self, config: FaultConfig) -> None:
        self.config = config
        self._random = random.Random(config.seed)
        self._burst_left = config.rate_limit_burst

    def reset(self) -> None:
        self.configure(FaultConfig())
        self.injected = {}

    def _count(self, kind: str) -> None:
        self.injected[kind] = self.injected.get(kind, 0) + 1

    async def before(self, request: Request) -> Response | None:
        """Sleep the configured latency, then maybe return a fault response instead of the real one."""
        c = self.config
        if c.latency_ms > 0:
            await asyncio.sleep(c.latency_ms / 1000.0)
        if self._burst_left > 0:
            self._burst_left -= 1
            self._count("429")
            return JSONResponse(
                self._error_body(429, "Too many request"),
                status_code=429,
                headers={"Retry-After": f"{c.retry_after:g}"},
            )
        if c.timeout_rate and self._random.random() < c.timeout_rate:
            self._count("timeout")
            await asyncio.sleep(c.timeout_seconds)
            return JSONResponse(self._error_body(504, "gateway timeout"), status_code=504)
        if c.error_rate and self._random.random() < c.error_rate:
            self._count(str(c.error_status))
            return JSONResponse(self._error_body(c.error_status, "service unavailable"), status_code=c.error_status)
        return None

    def after(self, response_body: bytes) -> bytes:
        """Maybe corrupt a successful JSON body (cut it in half)."""
        c = self.config
        if c.malformed_rate and self._random.random() < c.malformed_rate:
            self._count("malformed")
            return response_body[: max(1, len(response_body) // 2)]
        return response_body

    def connection_fault(self) -> ResetKind | None:
        """Maybe drop this request's connection: before the answer, or in the middle of the body."""
        c = self.config
        if c.reset_rate and self._random.random() < c.reset_rate:
            self._count("reset")
            return ResetKind.BEFORE_ANSWER
        if c.reset_mid_body_rate and self._random.random() < c.reset_mid_body_rate:
            self._count("reset_mid_body")
            return ResetKind.MID_BODY
        return None
