"""Helpers shared by the TrackingMore integration tests."""

from __future__ import annotations

from parcelsync.providers.trackingmore.mapping import TrackingRegistration
from parcelsync.sandbox.trackingmore import DEFAULT_API_KEY

BASE = "http://tm.test"


def headers(api_key: str = DEFAULT_API_KEY) -> dict[str, str]:
    return {"Trackingmore-Api-Key": api_key, "Content-Type": "application/json"}


def regs(n: int, carrier: str = "yanwen", start: int = 0) -> list[TrackingRegistration]:
    """`n` distinct numbers the sandbox accepts (S10 shape, Yanwen)."""
    return [TrackingRegistration(f"UG{start + i:09d}YP", carrier) for i in range(n)]
