"""Provider credentials encrypted at rest with Fernet (AES-128-CBC + HMAC) keyed by PARCELSYNC_SECRET_KEY.

Several keys may be configured (comma-separated, newest first) so keys can be rotated:
everything decrypts with any of them, and encrypts with the first.
"""

from __future__ import annotations

import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from parcelsync.logging import register_secrets


class SecretKeyError(RuntimeError):
    """PARCELSYNC_SECRET_KEY is missing or is not a valid Fernet key."""


def generate_key() -> str:
    return Fernet.generate_key().decode()


class CredentialCipher:
    """Encrypts and decrypts a connection's credentials dict."""

    def __init__(self, keys: str) -> None:
        parts = [k.strip() for k in keys.split(",") if k.strip()]
        if not parts:
            raise SecretKeyError("PARCELSYNC_SECRET_KEY is empty")
        try:
            self._fernet = MultiFernet([Fernet(k.encode()) for k in parts])
        except (ValueError, TypeError):
            raise SecretKeyError(
                "PARCELSYNC_SECRET_KEY is not a valid Fernet key (32 url-safe base64 bytes); "
                "create one with `parcelsync keys generate`"
            ) from None

    def __repr__(self) -> str:
        return "CredentialCipher(***)"

    def encrypt(self, credentials: dict[str, str]) -> str:
        register_secrets(credentials.values())
        return self._fernet.encrypt(json.dumps(credentials, sort_keys=True).encode()).decode()

    def decrypt(self, token: str) -> dict[str, str]:
        if not token:
            return {}
        try:
            credentials: dict[str, str] = json.loads(self._fernet.decrypt(token.encode()))
        except InvalidToken:
            raise SecretKeyError("stored credentials cannot be decrypted with the configured key(s)") from None
        register_secrets(credentials.values())  # from now on no log line can show them
        return credentials

    def rotate(self, token: str) -> str:
        """Re-encrypt a token with the newest key."""
        return self._fernet.rotate(token.encode()).decode() if token else token
