"""API tokens: random bearer strings shown once at creation; only their SHA-256 hash is stored.

A token has a scope: `read` (GET only, one merchant), `write` (may change its merchant's data)
or `admin` (no merchant: may act on any merchant and create merchants and connections).
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from parcelsync.activity.record import Actor, record_activity
from parcelsync.db.base import utcnow
from parcelsync.db.engine import unit_of_work
from parcelsync.db.tables import ApiTokenRow, MerchantRow

TOKEN_PREFIX = "pst_"
PREFIX_CHARS = 12
LAST_USED_RESOLUTION = timedelta(minutes=1)  # last_used_at is written at most once a minute per token
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Scope(enum.StrEnum):
    READ = "read"
    WRITE = "write"
    ADMIN = "admin"


class TokenError(ValueError):
    """The token cannot be created as asked."""


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the token's id, scope and merchant (None for an admin token), and its name."""

    token_id: int
    scope: Scope
    merchant_id: str | None
    name: str = ""

    @property
    def actor(self) -> Actor:
        return Actor.token(self.token_id, self.name)

    @property
    def is_admin(self) -> bool:
        return self.scope is Scope.ADMIN

    def may(self, method: str) -> bool:
        """Whether this token's scope allows an HTTP method at all (merchant checks come on top)."""
        return method.upper() in SAFE_METHODS or self.scope is not Scope.READ

    def may_act_on(self, merchant_id: str) -> bool:
        return self.is_admin or self.merchant_id == merchant_id


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A freshly created token; `secret` is the only time the plain token exists."""

    id: int
    secret: str
    prefix: str
    scope: Scope
    merchant_id: str | None

    def __repr__(self) -> str:
        return f"IssuedToken(id={self.id}, prefix={self.prefix!r}, scope={self.scope.value!r})"


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """A stored token as `tokens list` shows it (never the secret)."""

    id: int
    name: str
    prefix: str
    scope: Scope
    merchant_id: str | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def generate_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def _check_scope(scope: Scope, merchant_id: str | None) -> None:
    if scope is Scope.ADMIN and merchant_id is not None:
        raise TokenError("an admin token belongs to no merchant: drop --merchant")
    if scope is not Scope.ADMIN and not merchant_id:
        raise TokenError(f"a {scope.value} token needs --merchant")


async def create_token(
    session: AsyncSession,
    *,
    scope: Scope | str,
    merchant_id: str | None = None,
    name: str = "",
    actor: Actor | None = None,
) -> IssuedToken:
    """Create a token and return it with its secret (which is never stored); logged as `actor`'s activity."""
    scope = Scope(scope)
    _check_scope(scope, merchant_id)
    if merchant_id is not None and await session.get(MerchantRow, merchant_id) is None:
        raise TokenError(f"no merchant {merchant_id!r}")
    secret = generate_token()
    row = ApiTokenRow(
        merchant_id=merchant_id,
        name=name[:100],
        scope=scope.value,
        token_hash=hash_token(secret),
        prefix=secret[:PREFIX_CHARS],
    )
    session.add(row)
    await session.flush()
    if actor is not None:
        details = {"scope": scope.value, "prefix": row.prefix}
        await record_activity(session, actor, "token.created", _subject(row), details, merchant_id=merchant_id)
    return IssuedToken(id=row.id, secret=secret, prefix=row.prefix, scope=scope, merchant_id=merchant_id)


async def verify_token(session: AsyncSession, token: str) -> Principal | None:
    """The principal a bearer token stands for, or None when it is unknown or revoked."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = (
        await session.execute(select(ApiTokenRow).where(ApiTokenRow.token_hash == hash_token(token)))
    ).scalar_one_or_none()
    if row is None or row.revoked_at is not None:
        return None
    now = utcnow()
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
        await session.execute(update(ApiTokenRow).where(ApiTokenRow.id == row.id).values(last_used_at=now))
    return Principal(token_id=row.id, scope=Scope(row.scope), merchant_id=row.merchant_id, name=row.name)


def _subject(row: ApiTokenRow) -> str:
    return f"token {row.id}" + (f" ({row.name})" if row.name else "")


async def revoke_token(
    session: AsyncSession, token_id: int, *, merchant_id: str | None = None, actor: Actor | None = None
) -> bool:
    """Revoke a token (only merchant_id's when given); False when there is no such active token."""
    query = select(ApiTokenRow).where(ApiTokenRow.id == token_id, ApiTokenRow.revoked_at.is_(None))
    if merchant_id is not None:
        query = query.where(ApiTokenRow.merchant_id == merchant_id)
    row = (await session.execute(query)).scalar_one_or_none()
    if row is None:
        return False
    row.revoked_at = utcnow()
    if actor is not None:
        await record_activity(session, actor, "token.revoked", _subject(row), merchant_id=row.merchant_id)
    return True


async def list_tokens(session: AsyncSession, *, merchant_id: str | None = None) -> list[TokenInfo]:
    query = select(ApiTokenRow).order_by(ApiTokenRow.id)
    if merchant_id is not None:
        query = query.where(ApiTokenRow.merchant_id == merchant_id)
    rows = (await session.execute(query)).scalars()
    return [
        TokenInfo(
            id=r.id,
            name=r.name,
            prefix=r.prefix,
            scope=Scope(r.scope),
            merchant_id=r.merchant_id,
            created_at=r.created_at,
            last_used_at=r.last_used_at,
            revoked_at=r.revoked_at,
        )
        for r in rows
    ]


async def issue_token(
    sessions: async_sessionmaker[AsyncSession], *, scope: Scope | str, merchant_id: str | None = None, name: str = ""
) -> IssuedToken:
    """Create a token in its own transaction (for the CLI and `parcelsync demo`)."""
    async with unit_of_work(sessions) as session:
        return await create_token(session, scope=scope, merchant_id=merchant_id, name=name, actor=Actor.cli())
