"""Token values and principals (the database side is in tests/integration/security)."""

from __future__ import annotations

import hashlib

from parcelsync.security.tokens import TOKEN_PREFIX, IssuedToken, Principal, Scope, generate_token, hash_token


def test_generated_tokens_are_long_random_and_prefixed() -> None:
    tokens = {generate_token() for _ in range(100)}
    assert len(tokens) == 100
    assert all(t.startswith(TOKEN_PREFIX) and len(t) >= 40 for t in tokens)


def test_hash_is_sha256_hex() -> None:
    assert hash_token("pst_abc") == hashlib.sha256(b"pst_abc").hexdigest()


def test_scopes() -> None:
    read = Principal(token_id=1, scope=Scope.READ, merchant_id="m1")
    write = Principal(token_id=2, scope=Scope.WRITE, merchant_id="m1")
    admin = Principal(token_id=3, scope=Scope.ADMIN, merchant_id=None)
    assert read.may("GET") and read.may("head")
    assert not any(read.may(m) for m in ("POST", "PUT", "PATCH", "DELETE"))
    assert write.may("POST") and write.may("DELETE")
    assert read.may_act_on("m1") and not read.may_act_on("m2")
    assert admin.is_admin and admin.may_act_on("m2") and admin.may("POST")


def test_issued_token_repr_hides_secret() -> None:
    issued = IssuedToken(id=1, secret="pst_supersecretvalue", prefix="pst_supersec", scope=Scope.READ, merchant_id="m")
    assert "supersecretvalue" not in repr(issued)
