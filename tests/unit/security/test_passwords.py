"""Password hashing rules."""

from __future__ import annotations

import pytest

from parcelsync.security.passwords import (
    MAX_PASSWORD_CHARS,
    PasswordPolicyError,
    hash_password,
    verify_password,
)


def test_hash_is_argon2id_and_verifies() -> None:
    stored = hash_password("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert "correct horse" not in stored
    assert verify_password(stored, "correct horse battery")
    assert not verify_password(stored, "correct horse batterY")


def test_hashes_are_salted() -> None:
    assert hash_password("same password") != hash_password("same password")


@pytest.mark.parametrize("password", ["short", "x" * (MAX_PASSWORD_CHARS + 1)])
def test_policy(password: str) -> None:
    with pytest.raises(PasswordPolicyError):
        hash_password(password)


def test_garbage_hash_does_not_verify() -> None:
    assert not verify_password("not-a-hash", "whatever123")
    assert not verify_password(hash_password("whatever123"), "x" * (MAX_PASSWORD_CHARS + 1))
