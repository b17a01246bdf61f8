"""TrackingMore v2 webhooks: signature check and parsing.

Body shape (v2 "Webhook V2" page): `{"meta": {...}, "data": <tracking object>,
"verifyInfo": {"timeStr": "<unix seconds>", "signature": "<hex>"}}`, where
`signature = hex(HMAC-SHA256(key=account email, message=timeStr))`. The docs only say the two
parameters are "in the POST data", so `timeStr`/`signature` at the top level are accepted too.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import time
from collections.abc import Mapping
from typing import Any

from parcelsync.providers.trackingmore.mapping import TrackingUpdate, parse_tracking


class WebhookVerificationError(Exception):
    """The webhook is not signed by TrackingMore for this account, or is too old."""


def sign(time_str: str, account_email: str) -> str:
    """The v2 signature for a `timeStr`: hex HMAC-SHA256 keyed by the account email."""
    return hmac.new(account_email.encode(), time_str.encode(), hashlib.sha256).hexdigest()


def _decode(body: bytes | str | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(body, Mapping):
        return body
    try:
        decoded = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise WebhookVerificationError("webhook body is not JSON") from None
    if not isinstance(decoded, dict):
        raise WebhookVerificationError("webhook body is not a JSON object")
    return decoded


def _signature_fields(payload: Mapping[str, Any]) -> tuple[str, str]:
    info = payload.get("verifyInfo")
    source = info if isinstance(info, Mapping) else payload
    time_str, signature = source.get("timeStr"), source.get("signature")
    if not isinstance(time_str, str | int) or not isinstance(signature, str) or not signature:
        raise WebhookVerificationError("webhook has no timeStr/signature")
    return str(time_str), signature


def replay_key(body: bytes | str | Mapping[str, Any]) -> str:
    """The (timeStr, signature) pair as one key: the v2 scheme signs nothing else, so each pair is accepted once."""
    time_str, signature = _signature_fields(_decode(body))
    return hashlib.sha256(f"{time_str}:{signature.strip().lower()}".encode()).hexdigest()


def verify_webhook(
    body: bytes | str | Mapping[str, Any],
    account_email: str,
    *,
    max_age_s: float = 300,
    now: float | None = None,
) -> None:
    """Raise `WebhookVerificationError` unless the signature matches and `timeStr` is fresh."""
    if not account_email:
        raise WebhookVerificationError("no account email to verify with")
    time_str, signature = _signature_fields(_decode(body))
    expected = sign(time_str, account_email)
    if not hmac.compare_digest(expected.encode(), signature.strip().lower().encode()):
        raise WebhookVerificationError("webhook signature does not match")
    try:
        sent_at = float(time_str)
    except ValueError:
        raise WebhookVerificationError("webhook timeStr is not a Unix time") from None
    if not math.isfinite(sent_at):  # NaN compares false with everything: it would pass the window forever
        raise WebhookVerificationError("webhook timeStr is not a finite Unix time")
    if sent_at > 1e11:
        sent_at /= 1000.0
    current = time.time() if now is None else now
    if abs(current - sent_at) > max_age_s:
        raise WebhookVerificationError("webhook timeStr is outside the accepted window")


def parse_webhook(body: bytes | str | Mapping[str, Any]) -> TrackingUpdate:
    """The tracking update a (verified) v2 webhook carries in `data`."""
    try:
        payload = _decode(body)
    except WebhookVerificationError as exc:
        raise ValueError(str(exc)) from None
    data = payload.get("data")
    if isinstance(data, Mapping) and isinstance(data.get("items"), list) and data["items"]:
        data = data["items"][0]
    if not isinstance(data, Mapping) or not data.get("tracking_number"):
        raise ValueError("webhook carries no tracking")
    return parse_tracking(data)
