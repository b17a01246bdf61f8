"""Key rotation and housekeeping against a real database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from parcelsync.db.base import utcnow
from parcelsync.db.crypto import CredentialCipher, SecretKeyError, generate_key
from parcelsync.db.engine import make_sessionmaker, unit_of_work
from parcelsync.db.tables import AuditRow, ConnectionRow, IdempotencyKeyRow, MerchantRow
from parcelsync.logging import SECRETS
from parcelsync.security import db_throttle
from parcelsync.security.keys import rotate_credentials
from parcelsync.security.retention import PeriodicPrune, housekeeping

pytestmark = pytest.mark.anyio
CREDS = {"api_key": "SECRET-rotate-api-key-1", "account_email": "ops@example.com"}


async def _connections(engine: AsyncEngine, cipher: CredentialCipher, count: int) -> None:
    async with unit_of_work(make_sessionmaker(engine)) as session:
        for i in range(count):
            session.add(MerchantRow(id=f"m{i}", name=f"m{i}"))
        await session.flush()
        for i in range(count):
            enc = cipher.encrypt(CREDS) if i % 3 else ""
            session.add(
                ConnectionRow(merchant_id=f"m{i}", provider="trackingmore", base_url="http://x", credentials_enc=enc)
            )


async def test_rotation_reencrypts_everything_with_the_newest_key(engine: AsyncEngine) -> None:
    old, new = generate_key(), generate_key()
    await _connections(engine, CredentialCipher(old), 7)
    report = await rotate_credentials(make_sessionmaker(engine), CredentialCipher(f"{new},{old}"))
    assert (report.rotated, report.empty) == (4, 3)
    only_new = CredentialCipher(new)
    async with unit_of_work(make_sessionmaker(engine)) as session:
        stored = [r.credentials_enc for r in (await session.execute(select(ConnectionRow))).scalars()]
    assert all(only_new.decrypt(token) == CREDS for token in stored if token)
    with pytest.raises(SecretKeyError):
        CredentialCipher(old).decrypt(next(t for t in stored if t))


async def test_rotation_without_the_old_key_names_the_connection_not_the_secret(engine: AsyncEngine) -> None:
    await _connections(engine, CredentialCipher(generate_key()), 2)
    with pytest.raises(SecretKeyError, match=r"connection \d+ \(m1/trackingmore\)") as caught:
        await rotate_credentials(make_sessionmaker(engine), CredentialCipher(Fernet.generate_key().decode()))
    assert CREDS["api_key"] not in str(caught.value)


def test_decrypted_credentials_are_registered_for_log_redaction() -> None:
    cipher = CredentialCipher(generate_key())
    token = cipher.encrypt({"access_token": "SECRET-registry-token-77"})
    SECRETS.clear()
    assert cipher.decrypt(token) == {"access_token": "SECRET-registry-token-77"}
    assert "SECRET-registry-token-77" in SECRETS
    assert SECRETS.redact("x SECRET-registry-token-77 y") == "x *** y"


async def test_housekeeping_prunes_old_audit_rows_and_idempotency_keys(engine: AsyncEngine) -> None:
    now = utcnow()
    sessions = make_sessionmaker(engine)
    async with unit_of_work(sessions) as session:
        for days in (0, 10, 29, 31, 400):
            session.add(AuditRow(at=now - timedelta(days=days), merchant_id="m", provider="useepay", method="POST",
                                 path=f"/{days}"))
        for hours in (1, 30):
            session.add(IdempotencyKeyRow(scope="s", key=f"k{hours}", method="POST", path="/", body_hash="h",
                                          status_code=201, response_body="{}", created_at=now - timedelta(hours=hours)))
    report = await housekeeping(sessions, audit_retention_days=30, now=now)
    assert (report.audit_rows, report.idempotency_keys) == (2, 1)
    async with unit_of_work(sessions) as session:
        paths = sorted((await session.execute(select(AuditRow.path))).scalars())
        keys = (await session.execute(select(IdempotencyKeyRow.key))).scalars().all()
    assert paths == ["/0", "/10", "/29"] and keys == ["k1"]


async def test_housekeeping_prunes_rate_counters_once_both_windows_are_over(engine: AsyncEngine) -> None:
    now = db_throttle.window_start(utcnow(), 900) + timedelta(seconds=450)
    sessions = make_sessionmaker(engine)
    async with unit_of_work(sessions) as session:
        await db_throttle.hit(session, "login:old", window_s=900, now=now - timedelta(seconds=1801))
        await db_throttle.hit(session, "login:previous-window", window_s=900, now=now - timedelta(seconds=900))
        await db_throttle.hit(session, "login:now", window_s=900, now=now)
    report = await housekeeping(sessions, audit_retention_days=30, now=now)
    assert report.rate_counters == 1
    async with unit_of_work(sessions) as session:
        assert await db_throttle.count_rows(session) == 2
        assert (await db_throttle.peek(session, "login:previous-window", window_s=900, now=now)).previous == 1


async def test_periodic_prune_runs_at_most_once_per_interval(engine: AsyncEngine) -> None:
    sessions = make_sessionmaker(engine)
    clock = iter([0.0, 10.0, 3601.0])
    prune = PeriodicPrune(sessions, audit_retention_days=1, every_s=3600, clock=lambda: next(clock))

    async def old_row() -> None:
        async with unit_of_work(sessions) as session:
            session.add(AuditRow(at=utcnow() - timedelta(days=5), merchant_id="m", provider="useepay", method="POST",
                                 path="/"))  # fmt: skip

    await old_row()
    first = await prune()
    await old_row()
    assert first is not None and first.audit_rows == 1
    assert await prune() is None
    later = await prune()
    assert later is not None and later.audit_rows == 1
