"""Lookup rate limits of the tracking page: per client address and per merchant, counted in the database.

The counters live in the database (security/db_throttle.py), so every API process and a restart see the same
counts. Every lookup counts, hit or miss: a guesser learns nothing from which ones were counted.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.db.base import utcnow
from parcelsync.security.db_throttle import Decision, Limit, consume, decide
from parcelsync.settings import Settings


@dataclass(frozen=True, slots=True)
class LookupLimits:
    per_address: Limit
    per_merchant: Limit

    @classmethod
    def from_settings(cls, settings: Settings) -> LookupLimits:
        window = max(1, settings.tracking_lookup_window_s)
        return cls(
            Limit(settings.tracking_lookups_per_address, window),
            Limit(settings.tracking_lookups_per_merchant, window),
        )


def address_key(address: str) -> str:
    """The counter key of a client address (hashed: the counters table holds no IP address in clear)."""
    return "track-lookup:addr:" + hashlib.sha256(address.encode()).hexdigest()[:32]


def merchant_key(merchant_id: str) -> str:
    return f"track-lookup:merchant:{merchant_id}"


def refusal(decisions: tuple[Decision, ...]) -> str | None:
    """The Retry-After of the most restrictive refusal, or None when every limit allows the lookup."""
    refused = [d for d in decisions if not d.allowed]
    if not refused:
        return None
    return max((d.retry_after_header for d in refused), key=int)


async def check_lookup(
    session: AsyncSession, settings: Settings, *, merchant_id: str, address: str, now: datetime | None = None
) -> str | None:
    """Count this lookup against both limits; the Retry-After seconds when one is exceeded, else None."""
    limits = LookupLimits.from_settings(settings)
    moment = now or utcnow()
    by_address = await consume(session, address_key(address), window_s=limits.per_address.window_s, now=moment)
    by_merchant = await consume(session, merchant_key(merchant_id), window_s=limits.per_merchant.window_s, now=moment)
    return refusal((decide(limits.per_address, by_address), decide(limits.per_merchant, by_merchant)))
