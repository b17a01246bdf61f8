"""AfterShip tracking webhooks: signature check (constant time) and parsing.

`aftership-hmac-sha256` is base64(HMAC-SHA256(key=webhook secret, message=raw request body)). The
signature covers the raw bytes, so it must be checked before the body is decoded. Body:
`{ts, event, event_id, is_tracking_first_tag, msg: <tracking object>}`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from parcelsync.providers.aftership.mapping import TrackingUpdate, parse_tracking


class WebhookVerificationError(Exception):
    """The webhook is not signed by AfterShip with this webhook secret."""


def sign(body: bytes, secret: str) -> str:
    """The `aftership-hmac-sha256` value for a raw body."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def verify_webhook(body: bytes, signature: str | None, secret: str) -> None:
    """Raise `WebhookVerificationError` unless `signature` is the body's HMAC under `secret`."""
    if not secret:
        raise WebhookVerificationError("no webhook secret to verify with")
    if not signature:
        raise WebhookVerificationError("webhook has no aftership-hmac-sha256 header")
    try:
        given = base64.b64decode(signature.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise WebhookVerificationError("webhook signature is not base64") from None
    expected = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    if not hmac.compare_digest(expected, given):
        raise WebhookVerificationError("webhook signature does not match")


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    """One webhook: its id (stable across redelivery: de-duplicate on it), kind, time and tracking."""

    event_id: str
    event: str
    ts: datetime | None
    is_tracking_first_tag: bool
    tracking: TrackingUpdate | None


def parse_webhook(body: bytes | str | Mapping[str, object]) -> WebhookEvent:
    """The event a (verified) webhook carries; `ValueError` when it is not a webhook body."""
    if isinstance(body, Mapping):
        payload = body
    else:
        try:
            payload = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise ValueError("webhook body is not JSON") from None
    if not isinstance(payload, Mapping) or not payload.get("event"):
        raise ValueError("webhook body has no event")
    msg = payload.get("msg")
    ts = payload.get("ts")
    return WebhookEvent(
        event_id=str(payload.get("event_id") or ""),
        event=str(payload["event"]),
        ts=datetime.fromtimestamp(float(ts), tz=UTC) if isinstance(ts, int | float) else None,
        is_tracking_first_tag=bool(payload.get("is_tracking_first_tag")),
        tracking=parse_tracking(msg) if isinstance(msg, Mapping) and msg.get("tracking_number") else None,
    )


def receive_webhook(body: bytes, signature: str | None, secret: str) -> WebhookEvent:
    """Verify, then parse: what a webhook endpoint does with the raw body and the signature header."""
    verify_webhook(body, signature, secret)
    return parse_webhook(body)
