"""Dashboard sessions held in the database, so logout, a password change or deactivation ends them at once.

The cookie carries a random token; the `web_sessions` row is keyed by its SHA-256, so the table holds
nothing a cookie could be rebuilt from. A session is good while it has not ended, was seen within the
idle timeout, is younger than the absolute timeout and its user is active (`session_state`, a pure
decision). `last_seen_at` is written at most once per `touch_s`, so a page view is not a write.

The use cases the CLI and the dashboard's user pages share live here: `end_sessions_of`,
`deactivate_user`, `activate_user`, `list_sessions`. The caller owns the transaction.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Result, delete, func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.db.tables import UserRow, WebSessionRow
from parcelsync.security.roles import Role

MAX_TOKEN_CHARS = 100
MAX_USER_AGENT_CHARS = 300
MAX_IP_CHARS = 64
HISTORY_DAYS = 30
"""Ended and expired sessions are kept this long past the absolute timeout (for `users sessions`)."""


class UserNotFound(LookupError):
    """No dashboard user has this name."""


class SessionState(enum.StrEnum):
    ACTIVE = "active"
    ENDED = "ended"
    IDLE = "idle timeout"
    EXPIRED = "expired"
    DEACTIVATED = "user deactivated"


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    """Idle and absolute timeouts (PARCELSYNC_SESSION_IDLE_TIMEOUT_S / _ABSOLUTE_TIMEOUT_S)."""

    idle_s: int = 7200
    absolute_s: int = 43200
    touch_s: int = 60


@dataclass(frozen=True, slots=True)
class SessionUser:
    """Who a live session belongs to; user_id None is the admin-password login."""

    session_id: str
    user_id: int | None
    username: str
    merchant_id: str | None
    role: Role = Role.ADMIN


@dataclass(frozen=True, slots=True)
class SessionInfo:
    """One session as `users sessions` lists it (the id shown is a prefix of the hash, never the token)."""

    id_prefix: str
    state: SessionState
    created_at: datetime
    last_seen_at: datetime
    ip: str
    user_agent: str
    ended_at: datetime | None


def _changed(result: Result[Any]) -> int:
    return cast(CursorResult[Any], result).rowcount or 0


def session_id(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def session_state(
    policy: SessionPolicy,
    *,
    created_at: datetime,
    last_seen_at: datetime,
    ended_at: datetime | None,
    deactivated_at: datetime | None,
    now: datetime,
) -> SessionState:
    """Whether a session is still good at `now`, and if not, why."""
    if ended_at is not None:
        return SessionState.ENDED
    if deactivated_at is not None:
        return SessionState.DEACTIVATED
    if now - created_at >= timedelta(seconds=policy.absolute_s):
        return SessionState.EXPIRED
    if now - last_seen_at >= timedelta(seconds=policy.idle_s):
        return SessionState.IDLE
    return SessionState.ACTIVE


async def start_session(
    session: AsyncSession, *, user_id: int | None, username: str, ip: str, user_agent: str, now: datetime
) -> str:
    """Store a new session; returns the token for the cookie (the only time it exists in clear)."""
    token = secrets.token_urlsafe(32)
    session.add(
        WebSessionRow(
            id=session_id(token), user_id=user_id, username=username[:100], created_at=now, last_seen_at=now,
            ip=ip[:MAX_IP_CHARS], user_agent=user_agent[:MAX_USER_AGENT_CHARS],
        )
    )  # fmt: skip
    await session.flush()
    return token


async def _has_users(session: AsyncSession) -> bool:
    return bool((await session.execute(select(func.count()).select_from(UserRow))).scalar_one())


async def resolve(session: AsyncSession, token: str, policy: SessionPolicy, now: datetime) -> SessionUser | None:
    """The live session behind a cookie token, or None; refreshes last_seen_at at most once per touch_s."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        return None
    found = (
        await session.execute(
            select(WebSessionRow, UserRow)
            .outerjoin(UserRow, UserRow.id == WebSessionRow.user_id)
            .where(WebSessionRow.id == session_id(token))
        )
    ).first()
    if found is None:
        return None
    row, user = found.tuple()
    state = session_state(
        policy, created_at=row.created_at, last_seen_at=row.last_seen_at, ended_at=row.ended_at,
        deactivated_at=user.deactivated_at if user is not None else None, now=now,
    )  # fmt: skip
    if state is not SessionState.ACTIVE:
        return None
    if user is None and (row.user_id is not None or await _has_users(session)):
        return None  # the admin password stops working once a user exists, and so do its sessions
    if now - row.last_seen_at >= timedelta(seconds=policy.touch_s):
        await session.execute(update(WebSessionRow).where(WebSessionRow.id == row.id).values(last_seen_at=now))
    if user is None:
        return SessionUser(row.id, None, row.username, None, Role.ADMIN)
    return SessionUser(row.id, row.user_id, user.username, user.merchant_id, Role(user.role))


async def end_session(session: AsyncSession, token: str, now: datetime) -> bool:
    """End the session behind a cookie token (logout); False when there was no live one."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        return False
    result = await session.execute(
        update(WebSessionRow)
        .where(WebSessionRow.id == session_id(token), WebSessionRow.ended_at.is_(None))
        .values(ended_at=now)
    )
    return bool(_changed(result))


async def end_user_sessions(session: AsyncSession, user_id: int, now: datetime) -> int:
    """End every open session of a user at once; returns how many were open."""
    result = await session.execute(
        update(WebSessionRow)
        .where(WebSessionRow.user_id == user_id, WebSessionRow.ended_at.is_(None))
        .values(ended_at=now)
    )
    return _changed(result)


async def find_user(session: AsyncSession, username: str) -> UserRow:
    row = (await session.execute(select(UserRow).where(UserRow.username == username.strip()))).scalar_one_or_none()
    if row is None:
        raise UserNotFound(f"no user {username.strip()!r}")
    return row


async def end_sessions_of(session: AsyncSession, username: str, now: datetime) -> int:
    """End every session of the named user (raises UserNotFound); returns how many were open."""
    return await end_user_sessions(session, (await find_user(session, username)).id, now)


async def deactivate_user(session: AsyncSession, username: str, now: datetime) -> int:
    """The user can no longer log in and every session of theirs ends now; returns sessions ended."""
    user = await find_user(session, username)
    if user.deactivated_at is None:
        user.deactivated_at = now
    return await end_user_sessions(session, user.id, now)


async def activate_user(session: AsyncSession, username: str) -> bool:
    """Let a deactivated user log in again (their old sessions stay ended); False when already active."""
    user = await find_user(session, username)
    was_deactivated = user.deactivated_at is not None
    user.deactivated_at = None
    return was_deactivated


async def list_sessions(
    session: AsyncSession, username: str, policy: SessionPolicy, now: datetime
) -> list[SessionInfo]:
    """The named user's sessions, newest first, each with its state at `now`."""
    user = await find_user(session, username)
    rows = (
        await session.execute(
            select(WebSessionRow).where(WebSessionRow.user_id == user.id).order_by(WebSessionRow.created_at.desc())
        )
    ).scalars()
    return [
        SessionInfo(
            id_prefix=row.id[:12],
            state=session_state(
                policy, created_at=row.created_at, last_seen_at=row.last_seen_at, ended_at=row.ended_at,
                deactivated_at=user.deactivated_at, now=now,
            ),
            created_at=row.created_at, last_seen_at=row.last_seen_at, ip=row.ip, user_agent=row.user_agent,
            ended_at=row.ended_at,
        )
        for row in rows
    ]  # fmt: skip


async def prune_sessions(session: AsyncSession, policy: SessionPolicy, now: datetime) -> int:
    """Forget sessions created longer ago than the absolute timeout plus HISTORY_DAYS (all long dead)."""
    before = now - timedelta(seconds=policy.absolute_s, days=HISTORY_DAYS)
    result = await session.execute(delete(WebSessionRow).where(WebSessionRow.created_at < before))
    return _changed(result)
