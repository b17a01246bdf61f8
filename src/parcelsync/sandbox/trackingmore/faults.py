"""TrackingMore-specific faults on top of the shared injector: meta-code errors sent with HTTP 200.

`PUT /_sandbox/faults` takes the shared settings plus `meta_error_code` (e.g. 4021),
`meta_error_burst` (the next N requests get it) and `meta_error_rate` (a fraction of requests).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from parcelsync.sandbox.faults import FaultConfig, FaultInjector
from parcelsync.sandbox.trackingmore.errors import envelope, fault_body, http_status_for

META_KEYS = ("meta_error_code", "meta_error_burst", "meta_error_rate")


@dataclass
class MetaFault:
    code: int = 0
    burst: int = 0
    rate: float = 0.0


class TrackingMoreFaultInjector(FaultInjector):
    """The shared injector, plus TrackingMore's in-band (meta.code) errors."""

    def __init__(self) -> None:
        self.meta_fault = MetaFault()
        super().__init__(fault_body)

    def configure_from(self, data: dict[str, Any]) -> None:
        """Apply a JSON fault configuration; raises ValueError on unknown keys or bad values."""
        shared = {k: v for k, v in data.items() if k not in META_KEYS}
        config = FaultConfig.from_dict(shared)
        code = int(data.get("meta_error_code", 0) or 0)
        rate = float(data.get("meta_error_rate", 0.0) or 0.0)
        burst = int(data.get("meta_error_burst", 0) or 0)
        if not 0.0 <= rate <= 1.0 or burst < 0:
            raise ValueError("meta_error_rate must be in [0, 1] and meta_error_burst >= 0")
        if (rate or burst) and not code:
            raise ValueError("meta_error_code is required with meta_error_rate/meta_error_burst")
        self.configure(config)
        self.meta_fault = MetaFault(code, burst, rate)

    def to_dict(self) -> dict[str, Any]:
        m = self.meta_fault
        meta = {"meta_error_code": m.code, "meta_error_burst": m.burst, "meta_error_rate": m.rate}
        return {**self.config.to_dict(), **meta}

    def reset(self) -> None:
        super().reset()
        self.meta_fault = MetaFault()

    async def before(self, request: Request) -> Response | None:
        response = await super().before(request)
        if response is not None:
            return response
        m = self.meta_fault
        hit = m.burst > 0 or (m.rate and self._random.random() < m.rate)
        if not m.code or not hit:
            return None
        if m.burst > 0:
            m.burst -= 1
        self._count(f"meta:{m.code}")
        return JSONResponse(envelope(m.code), status_code=http_status_for(m.code))
