"""API tokens and dashboard users against a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from parcelsync.db.engine import make_sessionmaker, unit_of_work
from parcelsync.db.tables import ApiTokenRow, MerchantRow, UserRow
from parcelsync.security import passwords, tokens
from parcelsync.security.tokens import Scope, TokenError

pytestmark = pytest.mark.anyio


async def _merchant(engine: AsyncEngine, merchant_id: str = "m1") -> None:
    async with unit_of_work(make_sessionmaker(engine)) as session:
        session.add(MerchantRow(id=merchant_id, name=merchant_id))


async def test_create_stores_only_the_hash_and_verifies(engine: AsyncEngine) -> None:
    await _merchant(engine)
    sessions = make_sessionmaker(engine)
    async with unit_of_work(sessions) as session:
        issued = await tokens.create_token(session, scope="write", merchant_id="m1", name="warehouse")
    async with unit_of_work(sessions) as session:
        row = (await session.execute(select(ApiTokenRow))).scalar_one()
        assert row.token_hash == tokens.hash_token(issued.secret)
        assert issued.secret not in (row.token_hash, row.prefix, row.name)
        assert issued.secret.startswith(row.prefix)
        principal = await tokens.verify_token(session, issued.secret)
    assert principal == tokens.Principal(token_id=issued.id, scope=Scope.WRITE, merchant_id="m1", name="warehouse")
    async with unit_of_work(sessions) as session:
        assert (await session.get(ApiTokenRow, issued.id)).last_used_at is not None  # type: ignore[union-attr]
        assert await tokens.verify_token(session, issued.secret + "x") is None
        assert await tokens.verify_token(session, "not-a-token") is None


async def test_revoked_tokens_stop_working(engine: AsyncEngine) -> None:
    sessions = make_sessionmaker(engine)
    async with unit_of_work(sessions) as session:
        issued = await tokens.create_token(session, scope="admin")
    async with unit_of_work(sessions) as session:
        assert await tokens.revoke_token(session, issued.id)
        assert not await tokens.revoke_token(session, issued.id)
        assert not await tokens.revoke_token(session, 999)
    async with unit_of_work(sessions) as session:
        assert await tokens.verify_token(session, issued.secret) is None
        (info,) = await tokens.list_tokens(session)
    assert info.revoked_at is not None and info.scope is Scope.ADMIN and info.merchant_id is None


@pytest.mark.parametrize(
    ("scope", "merchant", "message"),
    [("admin", "m1", "no merchant"), ("read", None, "needs --merchant"), ("write", "nope", "no merchant 'nope'")],
)
async def test_scope_and_merchant_rules(engine: AsyncEngine, scope: str, merchant: str | None, message: str) -> None:
    await _merchant(engine)
    async with unit_of_work(make_sessionmaker(engine)) as session:
        with pytest.raises(TokenError, match=message):
            await tokens.create_token(session, scope=scope, merchant_id=merchant)


async def test_users_hash_authenticate_and_change_password(engine: AsyncEngine) -> None:
    sessions = make_sessionmaker(engine)
    async with unit_of_work(sessions) as session:
        assert not await passwords.has_users(session)
        user = await passwords.create_user(session, "ops", "first-password")
    async with unit_of_work(sessions) as session:
        stored = (await session.execute(select(UserRow))).scalar_one()
        assert stored.password_hash.startswith("$argon2id$") and "first-password" not in stored.password_hash
        assert await passwords.has_users(session)
        assert await passwords.authenticate(session, "ops", "first-password") == user
        assert await passwords.authenticate(session, "ops", "wrong-password") is None
        assert await passwords.authenticate(session, "nobody", "first-password") is None
        with pytest.raises(passwords.PasswordPolicyError, match="already exists"):
            await passwords.create_user(session, "ops", "another-password")
    async with unit_of_work(sessions) as session:
        assert await passwords.set_password(session, "ops", "second-password")
        assert not await passwords.set_password(session, "ghost", "second-password")
    async with unit_of_work(sessions) as session:
        assert await passwords.authenticate(session, "ops", "first-password") is None
        assert await passwords.authenticate(session, "ops", "second-password") == user
