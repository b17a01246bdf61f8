"""Order tokens of the buyer tracking page: an unguessable, authenticated reference to one merchant's order.

The token is the order number encrypted with AES-SIV (deterministic authenticated encryption) under a key
derived from PARCELSYNC_SECRET_KEY, with the merchant id as associated data. So it never shows the order
number (or anything else) in clear, it cannot be made without the key, it fails verification under any other
merchant, and the same order always gets the same token (the link sent to the store stays stable). The
plaintext is padded to 16-byte blocks so the token's length hardly says anything about the order number.
Every key of a rotated PARCELSYNC_SECRET_KEY verifies; the newest signs.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION = b"\x01"
BLOCK = 16
MAX_ORDER_BYTES = 255
MAX_TOKEN_CHARS = 512
HKDF_INFO = b"parcelsync tracking page order token v1"


class OrderTokenError(ValueError):
    """The order cannot be turned into a tracking page token."""


def _derive(secret: str) -> AESSIV:
    key = HKDF(algorithm=hashes.SHA256(), length=64, salt=None, info=HKDF_INFO).derive(secret.encode())
    return AESSIV(key)


def _pad(order_id: str) -> bytes:
    raw = order_id.encode()
    if not raw or len(raw) > MAX_ORDER_BYTES:
        raise OrderTokenError(f"an order number is 1 to {MAX_ORDER_BYTES} bytes")
    body = bytes([len(raw)]) + raw
    return body + b"\x00" * (-len(body) % BLOCK)


def _unpad(padded: bytes) -> str | None:
    if not padded:
        return None
    size = padded[0]
    raw = padded[1 : 1 + size]
    if size == 0 or len(raw) != size or any(padded[1 + size :]):
        return None
    try:
        return raw.decode()
    except UnicodeDecodeError:
        return None


class OrderTokens:
    """Makes and reads order tokens; `keys` is PARCELSYNC_SECRET_KEY's list, newest first."""

    def __init__(self, keys: Sequence[str]) -> None:
        usable = [k.strip() for k in keys if k and k.strip()]
        if not usable:
            raise OrderTokenError("tracking page tokens need PARCELSYNC_SECRET_KEY")
        self._ciphers = [_derive(k) for k in usable]

    @classmethod
    def from_secret(cls, secret_key: str | None) -> OrderTokens:
        return cls((secret_key or "").split(","))

    def issue(self, merchant_id: str, order_id: str) -> str:
        sealed = self._ciphers[0].encrypt(_pad(order_id), [VERSION, merchant_id.encode()])
        return base64.urlsafe_b64encode(VERSION + sealed).rstrip(b"=").decode()

    def read(self, merchant_id: str, token: str) -> str | None:
        """The order number behind a token of this merchant; None for anything else (never raises)."""
        if not token or len(token) > MAX_TOKEN_CHARS or not token.isascii():
            return None
        try:
            data = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except (binascii.Error, ValueError):
            return None
        if data[:1] != VERSION or len(data) < 1 + BLOCK + BLOCK:
            return None
        for cipher in self._ciphers:
            try:
                return _unpad(cipher.decrypt(data[1:], [VERSION, merchant_id.encode()]))
            except InvalidTag:
                continue
        return None
