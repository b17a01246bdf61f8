"""Dashboard users: argon2id password hashes, checked off the event loop; a deactivated user cannot log in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.activity.record import Actor, record_activity
from parcelsync.db.base import utcnow
from parcelsync.db.tables import MerchantRow, UserRow
from parcelsync.security.roles import Role, RoleError, check_role, default_role
from parcelsync.security.web_sessions import end_user_sessions

MIN_PASSWORD_CHARS = 8
MAX_PASSWORD_CHARS = 1024
MAX_USERNAME_CHARS = 100

_hasher = PasswordHasher()
# Verified against when the username does not exist, so both cases take the same time.
_DUMMY_HASH = _hasher.hash("parcelsync-no-such-user")


class PasswordPolicyError(ValueError):
    """The username or password does not meet the rules."""


@dataclass(frozen=True, slots=True)
class User:
    """A dashboard user; merchant_id None means an admin of every merchant."""

    id: int
    username: str
    merchant_id: str | None
    role: Role = Role.OPERATOR
    created_at: datetime | None = None
    deactivated_at: datetime | None = None


def _user(row: UserRow) -> User:
    role = Role(row.role)
    return User(
        id=row.id, username=row.username, merchant_id=row.merchant_id, role=role, created_at=row.created_at,
        deactivated_at=row.deactivated_at,
    )


def check_password_policy(password: str) -> None:
    if len(password) < MIN_PASSWORD_CHARS:
        raise PasswordPolicyError(f"password must have at least {MIN_PASSWORD_CHARS} characters")
    if len(password) > MAX_PASSWORD_CHARS:
        raise PasswordPolicyError(f"password must have at most {MAX_PASSWORD_CHARS} characters")


def _clean_username(username: str) -> str:
    name = username.strip()
    if not name or len(name) > MAX_USERNAME_CHARS:
        raise PasswordPolicyError(f"username must have 1 to {MAX_USERNAME_CHARS} characters")
    return name


def hash_password(password: str) -> str:
    check_password_policy(password)
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    if len(password) > MAX_PASSWORD_CHARS:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


async def _hash_async(password: str) -> str:
    return await anyio.to_thread.run_sync(hash_password, password)


async def create_user(
    session: AsyncSession,
    username: str,
    password: str,
    *,
    merchant_id: str | None = None,
    role: Role | str | None = None,
    actor: Actor | None = None,
) -> User:
    """Create a user; without a role, an admin when of every merchant, else an operator. Logged as `actor`'s."""
    name = _clean_username(username)
    try:
        chosen = Role(role) if role is not None else default_role(merchant_id)
        check_role(chosen, merchant_id)
    except (ValueError, RoleError) as exc:
        raise PasswordPolicyError(str(exc) if isinstance(exc, RoleError) else f"no role {role!r}") from exc
    if (await session.execute(select(UserRow.id).where(UserRow.username == name))).first() is not None:
        raise PasswordPolicyError(f"user {name!r} already exists")
    if merchant_id is not None and await session.get(MerchantRow, merchant_id) is None:
        raise PasswordPolicyError(f"no merchant {merchant_id!r}")
    row = UserRow(username=name, password_hash=await _hash_async(password), merchant_id=merchant_id, role=chosen.value)
    session.add(row)
    await session.flush()
    user = _user(row)
    if actor is not None:
        await record_activity(
            session, actor, "user.created", f"user {name}", {"role": chosen.value}, merchant_id=merchant_id
        )
    return user


async def get_user(session: AsyncSession, user_id: int) -> User | None:
    row = await session.get(UserRow, user_id)
    return _user(row) if row is not None else None


async def list_users(session: AsyncSession, *, merchant_id: str | None = None) -> list[User]:
    """Every user (merchant_id None) or one merchant's users, by name."""
    query = select(UserRow).order_by(UserRow.username)
    if merchant_id is not None:
        query = query.where(UserRow.merchant_id == merchant_id)
    return [_user(row) for row in (await session.execute(query)).scalars()]


async def set_password(
    session: AsyncSession, username: str, password: str, *, now: datetime | None = None, actor: Actor | None = None
) -> bool:
    """Change a user's password and end every session of theirs; False when there is no such user.

    Logged as `actor`'s (never the password).
    """
    row = (
        await session.execute(select(UserRow).where(UserRow.username == username.strip()))
    ).scalar_one_or_none()
    if row is None:
        return False
    row.password_hash = await _hash_async(password)
    await end_user_sessions(session, row.id, now or utcnow())
    if actor is not None:
        subject = f"user {row.username}"
        await record_activity(session, actor, "user.password_reset", subject, merchant_id=row.merchant_id)
    return True


async def authenticate(session: AsyncSession, username: str, password: str) -> User | None:
    """The user when the password matches; None otherwise (in constant-ish time either way)."""
    row = None
    if 0 < len(username.strip()) <= MAX_USERNAME_CHARS:
        row = (
            await session.execute(select(UserRow).where(UserRow.username == username.strip()))
        ).scalar_one_or_none()
    stored = row.password_hash if row is not None else _DUMMY_HASH
    ok = await anyio.to_thread.run_sync(verify_password, stored, password)
    if row is None or not ok or row.deactivated_at is not None:
        return None
    if _hasher.check_needs_rehash(row.password_hash):
        row.password_hash = await _hash_async(password)
    return _user(row)


async def has_users(session: AsyncSession) -> bool:
    return bool((await session.execute(select(func.count()).select_from(UserRow))).scalar_one())
