"""Standard Webhooks signing (webhook-id, webhook-timestamp, webhook-signature) with the `standardwebhooks` package."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence
from datetime import datetime
from math import floor

from standardwebhooks.webhooks import Webhook

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """A fresh signing secret: `whsec_` and 32 random bytes in base64, as receivers' libraries expect."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def message_id(event_id: int) -> str:
    """The webhook-id of an event: the same on every attempt and every replay, so receivers can deduplicate."""
    return f"evt_{event_id}"


def signed_headers(secrets_: Sequence[str], msg_id: str, timestamp: datetime, body: str) -> dict[str, str]:
    """The three Standard Webhooks headers; one signature per secret (old and new while a rotation settles)."""
    signatures = " ".join(Webhook(s).sign(msg_id, timestamp, body) for s in secrets_)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(floor(timestamp.timestamp())),
        "webhook-signature": signatures,
        "content-type": "application/json",
    }
