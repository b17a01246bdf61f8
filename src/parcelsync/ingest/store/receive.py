"""A store webhook, end to end in one transaction: verify, de-duplicate on its message id, apply.

The de-duplication row is written in the same transaction as the change, so a webhook whose
processing fails is not marked as seen and its redelivery is processed; one that succeeded is
applied exactly once however often the store resends it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.connectors.carriers import default_registry
from parcelsync.connectors.inbound import StoreSource, inbound_enabled
from parcelsync.db.crypto import CredentialCipher
from parcelsync.db.queries.carrier_overrides import registry_for
from parcelsync.db.queries.connections import load_connection
from parcelsync.db.tables import WebhookDeliveryRow
from parcelsync.domain.store_fulfillment import InboundPayloadError, InboundSignatureError, StoreFulfillment
from parcelsync.ingest.store.apply import Applied, apply_store_fulfillment
from parcelsync.ingest.store.ownership import effective_source_of_truth
from parcelsync.metrics import WEBHOOKS


class StoreWebhookRejected(Exception):
    """The webhook cannot be accepted: `status` is the HTTP answer (401 signature, 404 unknown, 400 body)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True, slots=True)
class Received:
    """The outcome: `result` is applied, duplicate, ignored (topic or inbound off)."""

    result: str
    webhook_id: str
    topic: str
    applied: Applied | None = None
    fulfillment: StoreFulfillment | None = None

    def to_dict(self) -> dict[str, object]:
        body: dict[str, object] = {
            "ok": True, "result": self.result, "webhook_id": self.webhook_id, "topic": self.topic,
        }
        if self.applied is not None:
            body["fulfillment"] = self.applied.to_dict()
        return body


def _insert(session: AsyncSession):  # type: ignore[no-untyped-def]
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(WebhookDeliveryRow)


async def receive_store_webhook(
    session: AsyncSession,
    cipher: CredentialCipher,
    source: StoreSource,
    merchant_id: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    now: datetime,
) -> Received:
    """Verify with the connection's secret (constant time), then apply once; raises StoreWebhookRejected."""
    provider = source.provider.value
    connection = await load_connection(session, cipher, merchant_id, source.provider)
    if connection is None:
        WEBHOOKS.labels(provider, "unknown_merchant").inc()
        raise StoreWebhookRejected(404, f"no {provider} connection for this merchant")
    try:
        envelope = source.verify(body, headers, connection.credentials.get(source.secret_name, ""))
    except InboundSignatureError as exc:
        WEBHOOKS.labels(provider, "bad_signature").inc()
        raise StoreWebhookRejected(401, str(exc)) from None
    except InboundPayloadError as exc:
        raise StoreWebhookRejected(400, str(exc)) from None
    if not source.wants(envelope.topic) or not connection.enabled or not inbound_enabled(connection, source):
        WEBHOOKS.labels(provider, "ignored").inc()
        return Received("ignored", envelope.webhook_id, envelope.topic)
    try:
        fulfillment = source.parse(json.loads(body))
    except (ValueError, InboundPayloadError) as exc:
        raise StoreWebhookRejected(400, f"invalid {envelope.topic} body: {exc}") from None
    inserted = cast(CursorResult[Any], await session.execute(
        _insert(session)
        .values(merchant_id=merchant_id, provider=provider, delivery_key=envelope.webhook_id, received_at=now)
        .on_conflict_do_nothing(index_elements=["merchant_id", "provider", "delivery_key"])
    ))
    if not inserted.rowcount:
        WEBHOOKS.labels(provider, "duplicate").inc()
        return Received("duplicate", envelope.webhook_id, envelope.topic)
    WEBHOOKS.labels(provider, "ok").inc()
    registry = await registry_for(session, merchant_id, default_registry())
    applied = await apply_store_fulfillment(
        session, source, merchant_id, fulfillment, registry=registry,
        source_of_truth=effective_source_of_truth(connection.options, True), now=now,
    )
    return Received("applied", envelope.webhook_id, envelope.topic, applied, fulfillment)
