"""Roles, token use cases and the activity log against a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from tests.integration.web.seed_data import SECRET_API_KEY, default_credentials

from parcelsync.activity.queries import list_activity
from parcelsync.activity.record import Actor, record_activity
from parcelsync.db.crypto import CredentialCipher, generate_key
from parcelsync.db.engine import make_sessionmaker, unit_of_work
from parcelsync.db.tables import ActivityRow, ApiTokenRow, MerchantRow
from parcelsync.domain.provider import Provider
from parcelsync.ingest.connections import ConnectionChange, change_connection
from parcelsync.security import passwords, tokens
from parcelsync.security.passwords import PasswordPolicyError
from parcelsync.security.roles import Role

pytestmark = pytest.mark.anyio
ALICE = Actor.user("alice")


async def _merchants(engine: AsyncEngine, *ids: str) -> None:
    async with unit_of_work(make_sessionmaker(engine)) as session:
        session.add_all(MerchantRow(id=m, name=m.upper()) for m in ids)


async def _activity(engine: AsyncEngine) -> list[ActivityRow]:
    async with unit_of_work(make_sessionmaker(engine)) as session:
        return list((await session.execute(select(ActivityRow).order_by(ActivityRow.id))).scalars())


async def test_roles_default_by_merchant_and_must_fit_it(engine: AsyncEngine) -> None:
    await _merchants(engine, "m1")
    async with unit_of_work(make_sessionmaker(engine)) as session:
        admin = await passwords.create_user(session, "root", "password-1")
        operator = await passwords.create_user(session, "ops", "password-1", merchant_id="m1")
        viewer = await passwords.create_user(session, "look", "password-1", merchant_id="m1", role="viewer")
        for role, merchant in (("admin", "m1"), ("viewer", None), ("operator", None), ("boss", "m1")):
            with pytest.raises(PasswordPolicyError):
                await passwords.create_user(session, f"bad-{role}", "password-1", merchant_id=merchant, role=role)
    assert (admin.role, operator.role, viewer.role) == (Role.ADMIN, Role.OPERATOR, Role.VIEWER)
    async with unit_of_work(make_sessionmaker(engine)) as session:
        signed_in = await passwords.authenticate(session, "look", "password-1")
        listed = await passwords.list_users(session, merchant_id="m1")
    assert signed_in is not None and signed_in.role is Role.VIEWER
    assert [(u.username, u.role) for u in listed] == [("look", Role.VIEWER), ("ops", Role.OPERATOR)]


async def test_token_use_cases_log_activity_without_the_secret(engine: AsyncEngine) -> None:
    await _merchants(engine, "m1", "m2")
    sessions = make_sessionmaker(engine)
    async with unit_of_work(sessions) as session:
        issued = await tokens.create_token(session, scope="write", merchant_id="m1", name="warehouse", actor=ALICE)
    async with unit_of_work(sessions) as session:
        assert not await tokens.revoke_token(session, issued.id, merchant_id="m2", actor=ALICE)
        assert await tokens.revoke_token(session, issued.id, merchant_id="m1", actor=ALICE)
        assert await tokens.verify_token(session, issued.secret) is None
    rows = await _activity(engine)
    assert [(r.action, r.actor, r.merchant_id, r.subject) for r in rows] == [
        ("token.created", "alice", "m1", f"token {issued.id} (warehouse)"),
        ("token.revoked", "alice", "m1", f"token {issued.id} (warehouse)"),
    ]
    assert all(issued.secret not in json.dumps(r.details) + r.subject for r in rows)


async def test_last_used_is_written_at_most_once_a_minute(engine: AsyncEngine) -> None:
    await _merchants(engine, "m1")
    sessions = make_sessionmaker(engine)
    async with unit_of_work(sessions) as session:
        issued = await tokens.create_token(session, scope="read", merchant_id="m1")
    async with unit_of_work(sessions) as session:
        principal = await tokens.verify_token(session, issued.secret)
    async with unit_of_work(sessions) as session:
        first = (await session.get(ApiTokenRow, issued.id)).last_used_at  # type: ignore[union-attr]
        await tokens.verify_token(session, issued.secret)
    async with unit_of_work(sessions) as session:
        second = (await session.get(ApiTokenRow, issued.id)).last_used_at  # type: ignore[union-attr]
    assert principal is not None and first is not None and second == first


async def test_a_connection_change_is_logged_by_part_never_by_value(engine: AsyncEngine) -> None:
    await _merchants(engine, "m1")
    cipher = CredentialCipher(generate_key())
    change = ConnectionChange(credentials=default_credentials()[Provider.USEEPAY])
    async with unit_of_work(make_sessionmaker(engine)) as session:
        await change_connection(session, cipher, "m1", Provider.USEEPAY, change, mode="upsert", actor=ALICE)
        await change_connection(
            session, cipher, "m1", Provider.USEEPAY, ConnectionChange(enabled=False), mode="merge", actor=ALICE
        )
    rows = await _activity(engine)
    assert [(r.action, r.subject) for r in rows] == [
        ("connection.created", "connection useepay"),
        ("connection.changed", "connection useepay"),
    ]
    assert rows[0].details == {"changed": ["credentials"], "enabled": True}
    assert rows[1].details == {"changed": [], "enabled": False}
    assert all(SECRET_API_KEY not in json.dumps(r.details) for r in rows)


async def test_activity_redacts_secret_keys_and_lists_per_merchant(engine: AsyncEngine) -> None:
    await _merchants(engine, "m1", "m2")
    sessions = make_sessionmaker(engine)
    async with unit_of_work(sessions) as session:
        await record_activity(
            session, ALICE, "thing.changed", "one", {"api_key": "k-123", "password": "p", "name": "x"}, merchant_id="m1"
        )
        await record_activity(session, Actor.token(7, ""), "thing.changed", "two", merchant_id="m2")
        await record_activity(session, Actor.cli(), "merchant.created", "three", merchant_id=None)
    async with unit_of_work(sessions) as session:
        everything = await list_activity(session, merchant_id=None)
        mine = await list_activity(session, merchant_id="m1")
        older = await list_activity(session, merchant_id=None, before=everything[0].id)
    assert [e.subject for e in everything] == ["three", "two", "one"]
    assert [e.subject for e in older] == ["two", "one"]
    redacted = {"api_key": "(changed)", "password": "(changed)", "name": "x"}
    assert [(e.subject, e.details) for e in mine] == [("one", redacted)]
    assert everything[1].actor == "token 7" and everything[1].actor_kind == "token"
