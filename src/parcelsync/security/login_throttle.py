"""Dashboard login throttling in the database: failures per (account, address), per account and per address.

Counted in `rate_counters` (security/db_throttle.py), so a restart or a second API process does not
reset them. Only failures count: `retry_after` peeks before the attempt, `record_failure` counts after a
wrong password, `record_success` forgets the (account, address) pair only, so a guesser cannot use the
owner's own logins to reset the account-wide count. Keys hold SHA-256 digests, never a name or address.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.security.db_throttle import Limit, clear, decide, hit, peek

WINDOW_S = 15 * 60
PER_PAIR = Limit(5, WINDOW_S)
PER_ACCOUNT = Limit(20, WINDOW_S)
PER_ADDRESS = Limit(50, WINDOW_S)


@dataclass(frozen=True, slots=True)
class LoginLimits:
    """Failures allowed in any 15 minutes: 5 per (account, address), 20 per account, 50 per address."""

    pair: Limit = PER_PAIR
    account: Limit = PER_ACCOUNT
    address: Limit = PER_ADDRESS


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def _keys(username: str, address: str, limits: LoginLimits) -> list[tuple[str, Limit]]:
    account = _digest(username.strip().lower()[:200])
    where = _digest(address)
    return [
        (f"login:pair:{account}:{where}", limits.pair),
        (f"login:account:{account}", limits.account),
        (f"login:addr:{where}", limits.address),
    ]


async def retry_after(
    session: AsyncSession, username: str, address: str, now: datetime, limits: LoginLimits = LoginLimits()
) -> float | None:
    """Seconds until one more attempt may be made (the strictest limit), or None when it may be made now."""
    waits = []
    for key, limit in _keys(username, address, limits):
        decision = decide(limit, await peek(session, key, window_s=limit.window_s, now=now), cost=1)
        if not decision.allowed:
            waits.append(decision.retry_after_s or 0.0)
    return max(waits) if waits else None


async def record_failure(
    session: AsyncSession, username: str, address: str, now: datetime, limits: LoginLimits = LoginLimits()
) -> None:
    for key, limit in _keys(username, address, limits):
        await hit(session, key, window_s=limit.window_s, now=now)


async def record_success(
    session: AsyncSession, username: str, address: str, limits: LoginLimits = LoginLimits()
) -> None:
    pair_key, _ = _keys(username, address, limits)[0]
    await clear(session, pair_key)
