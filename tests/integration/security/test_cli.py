"""`parcelsync tokens|users|keys rotate|audit prune` through the Typer app (SQLite)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from parcelsync.cli import app
from parcelsync.db.base import utcnow
from parcelsync.db.crypto import CredentialCipher, generate_key
from parcelsync.db.engine import make_engine, make_sessionmaker, unit_of_work
from parcelsync.db.tables import ActivityRow, ApiTokenRow, AuditRow, ConnectionRow, MerchantRow, UserRow
from parcelsync.security import passwords, tokens, web_sessions

runner = CliRunner()


@pytest.fixture(autouse=True)
def _terminal_width(cli_width: Callable[[int], None]) -> None:
    cli_width(200)


@pytest.fixture
def env(sqlite_database_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    key = generate_key()
    monkeypatch.setenv("PARCELSYNC_DATABASE_URL", sqlite_database_url)
    monkeypatch.setenv("PARCELSYNC_SECRET_KEY", key)
    monkeypatch.setenv("PARCELSYNC_AUTO_MIGRATE", "false")
    return sqlite_database_url


def db(url: str, work):  # type: ignore[no-untyped-def]
    async def main():  # type: ignore[no-untyped-def]
        engine = make_engine(url)
        try:
            async with unit_of_work(make_sessionmaker(engine)) as session:
                return await work(session)
        finally:
            await engine.dispose()

    return asyncio.run(main())


def invoke(*args: str, input: str | None = None, code: int = 0) -> str:
    result = runner.invoke(app, list(args), input=input)
    assert result.exit_code == code, result.output
    return result.output


def test_tokens_create_list_revoke(env: str) -> None:
    db(env, lambda s: _add(s, MerchantRow(id="acme", name="Acme")))
    out = invoke("tokens", "create", "--scope", "write", "--merchant", "acme", "--name", "erp")
    secret = out.strip().splitlines()[-1]
    assert secret.startswith(tokens.TOKEN_PREFIX)
    principal = db(env, lambda s: tokens.verify_token(s, secret))
    assert principal is not None and principal.merchant_id == "acme"
    stored = db(env, lambda s: _all(s, ApiTokenRow))
    assert [r.token_hash for r in stored] == [tokens.hash_token(secret)]
    listing = invoke("tokens", "list")
    assert stored[0].prefix in listing and secret not in listing and "erp" in listing
    invoke("tokens", "revoke", str(stored[0].id))
    assert db(env, lambda s: tokens.verify_token(s, secret)) is None
    assert "no active token" in invoke("tokens", "revoke", str(stored[0].id), code=1)


def test_token_scope_rules(env: str) -> None:
    assert "needs --merchant" in invoke("tokens", "create", "--scope", "read", code=2)
    assert "no merchant 'ghost'" in invoke("tokens", "create", "--scope", "read", "--merchant", "ghost", code=2)
    assert invoke("tokens", "create", "--scope", "admin").strip().splitlines()[-1].startswith("pst_")


def test_users_create_and_passwd(env: str) -> None:
    invoke("users", "create", "ops", input="first-password\nfirst-password\n")
    assert db(env, lambda s: passwords.authenticate(s, "ops", "first-password")) is not None
    (row,) = db(env, lambda s: _all(s, UserRow))
    assert row.password_hash.startswith("$argon2id$")
    assert "at least 8" in invoke("users", "create", "dev", "--password", "short", code=2)
    invoke("users", "passwd", "ops", input="second-password\nsecond-password\n")
    assert db(env, lambda s: passwords.authenticate(s, "ops", "first-password")) is None
    assert db(env, lambda s: passwords.authenticate(s, "ops", "second-password")) is not None
    assert "no user 'nobody'" in invoke("users", "passwd", "nobody", "--password", "whatever-123", code=1)


def _live(url: str, tokens_: list[str]) -> list[bool]:
    policy = web_sessions.SessionPolicy()

    async def check(session):  # type: ignore[no-untyped-def]
        return [await web_sessions.resolve(session, t, policy, utcnow()) is not None for t in tokens_]

    return db(url, check)  # type: ignore[no-any-return]


def test_users_sessions_deactivate_activate_and_end_sessions(env: str) -> None:
    invoke("users", "create", "ops", "--password", "first-password")
    user = db(env, lambda s: passwords.authenticate(s, "ops", "first-password"))

    def start(agent: str) -> str:
        return db(env, lambda s: web_sessions.start_session(  # type: ignore[no-any-return]
            s, user_id=user.id, username="ops", ip="203.0.113.9", user_agent=agent, now=utcnow()))

    first, second = start("Firefox/140"), start("Chromium/141")
    listing = invoke("users", "sessions", "ops")
    assert "Firefox/140" in listing and "Chromium/141" in listing and "203.0.113.9" in listing
    assert listing.count("active") == 2 and first not in listing and second not in listing
    assert "2 session(s) of ops ended" in invoke("users", "end-sessions", "ops")
    assert _live(env, [first, second]) == [False, False] and invoke("users", "sessions", "ops").count("ended") == 2
    third = start("Safari/19")
    assert "deactivated ops; 1 session(s) ended" in invoke("users", "deactivate", "ops")
    assert _live(env, [third]) == [False]
    assert db(env, lambda s: passwords.authenticate(s, "ops", "first-password")) is None
    assert "activated ops" in invoke("users", "activate", "ops")
    assert db(env, lambda s: passwords.authenticate(s, "ops", "first-password")) is not None
    fourth = start("Edge/140")
    invoke("users", "passwd", "ops", "--password", "second-password")
    assert _live(env, [fourth]) == [False]
    for verb in ("deactivate", "activate", "sessions", "end-sessions"):
        assert "no user 'nobody'" in invoke("users", verb, "nobody", code=1)


def test_keys_rotate(env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    old_key, new_key = generate_key(), generate_key()
    token = CredentialCipher(old_key).encrypt({"api_key": "SECRET-cli-rotate-1"})

    async def seed(session):  # type: ignore[no-untyped-def]
        session.add(MerchantRow(id="acme", name="Acme"))
        await session.flush()
        session.add(ConnectionRow(merchant_id="acme", provider="useepay", base_url="http://x", credentials_enc=token))

    db(env, seed)
    monkeypatch.setenv("PARCELSYNC_SECRET_KEY", f"{new_key},{old_key}")
    out = invoke("keys", "rotate")
    assert "re-encrypted 1 connection" in out and "SECRET-cli-rotate-1" not in out
    (conn,) = db(env, lambda s: _all(s, ConnectionRow))
    assert CredentialCipher(new_key).decrypt(conn.credentials_enc) == {"api_key": "SECRET-cli-rotate-1"}
    monkeypatch.setenv("PARCELSYNC_SECRET_KEY", generate_key())
    assert "cannot be decrypted" in invoke("keys", "rotate", code=2)
    monkeypatch.delenv("PARCELSYNC_SECRET_KEY")
    assert "not set" in invoke("keys", "rotate", code=2)


def test_audit_prune(env: str) -> None:
    now = utcnow()

    async def seed(session):  # type: ignore[no-untyped-def]
        for days in (1, 40):
            at = now - timedelta(days=days)
            session.add(AuditRow(at=at, merchant_id="m", provider="useepay", method="POST", path="/"))

    db(env, seed)
    assert "deleted 1 audit row(s) older than 30 day(s)" in invoke("audit", "prune")
    assert "deleted 1 audit row(s) older than 0 day(s)" in invoke("audit", "prune", "--days", "0")


async def _add(session, row):  # type: ignore[no-untyped-def]
    session.add(row)


async def _all(session, model):  # type: ignore[no-untyped-def]
    return (await session.execute(select(model))).scalars().all()


def test_users_create_with_a_role(env: str) -> None:
    db(env, lambda s: _add(s, MerchantRow(id="acme", name="Acme")))
    out = invoke("users", "create", "vera", "--merchant", "acme", "--role", "viewer", "--password", "viewer-pass-1")
    assert "vera (viewer, merchant acme)" in out
    assert "(operator, merchant acme)" in invoke("users", "create", "otto", "-m", "acme", "--password", "otto-pass-1")
    assert "(admin, all merchants)" in invoke("users", "create", "root", "--password", "root-pass-1")
    assert "needs a merchant" in invoke("users", "create", "x", "--role", "viewer", "--password", "x-pass-123", code=2)
    logged = db(env, lambda s: _all(s, ActivityRow))
    assert [(r.action, r.actor_kind, r.subject) for r in logged] == [
        ("user.created", "cli", "user vera"), ("user.created", "cli", "user otto"), ("user.created", "cli", "user root")
    ]
