"""`webhooks test`: send a signed `webhook.test` ping to an endpoint now, and log the attempt like any delivery."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.db.base import utcnow
from parcelsync.db.crypto import CredentialCipher
from parcelsync.db.tables import OutboundAttemptRow, WebhookEndpointRow
from parcelsync.outbound.endpoints import endpoint_secrets
from parcelsync.outbound.messages import AttemptResult, event_body, post_signed
from parcelsync.settings import Settings

PING_TYPE = "webhook.test"


async def send_ping(
    session: AsyncSession,
    http: httpx.AsyncClient,
    cipher: CredentialCipher,
    settings: Settings,
    endpoint: WebhookEndpointRow,
) -> tuple[str, AttemptResult]:
    """POST a ping (even to a disabled endpoint: that is how one checks it is back); returns its id and result."""
    now = utcnow()
    msg_id = f"ping_{uuid.uuid4().hex[:16]}"
    body = event_body(msg_id, PING_TYPE, now, {"endpoint_id": endpoint.id, "message": "parcelsync test ping"})
    result = await post_signed(
        http,
        endpoint.url,
        secrets=endpoint_secrets(cipher, endpoint, now),
        msg_id=msg_id,
        body=body,
        allow_private=settings.webhook_allow_private_urls,
        timeout_s=settings.webhook_timeout_s,
    )
    session.add(
        OutboundAttemptRow(
            merchant_id=endpoint.merchant_id,
            endpoint_id=endpoint.id,
            message_id=msg_id,
            event_type=PING_TYPE,
            at=now,
            attempt=1,
            status=result.status,
            latency_ms=round(result.latency_ms, 3),
            response_excerpt=result.excerpt,
            error=result.error,
        )
    )
    return msg_id, result
