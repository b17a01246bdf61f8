"""Outbound webhook endpoints: CRUD, secret rotation, the delivery log, replay and a test ping.

The signing secret is in the answer to the creation and to a rotation, and nowhere else, ever.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import httpx
from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from parcelsync.activity.record import DetailValue, record_activity
from parcelsync.api.deps import ActorDep, MerchantDep, RuntimeDep, SessionDep
from parcelsync.api.errors import ApiError, not_found
from parcelsync.api.params import Text
from parcelsync.db.base import utcnow
from parcelsync.db.tables import WebhookEndpointRow
from parcelsync.events.types import EventType
from parcelsync.ingest.errors import FieldError
from parcelsync.outbound import deliveries
from parcelsync.outbound import endpoints as q
from parcelsync.outbound.log import delivery_counts, recent_attempts, restart_window
from parcelsync.outbound.ping import send_ping
from parcelsync.outbound.ssrf import UnsafeUrl, check_url

router = APIRouter(prefix="/v1/webhook-endpoints", tags=["webhooks"])
EndpointId = Annotated[int, Path(ge=1, le=2**63 - 1)]
KNOWN_TYPES = frozenset(t.value for t in EventType)


def _check_types(values: list[str]) -> list[str]:
    families = {t.split(".", 1)[0] + ".*" for t in KNOWN_TYPES}
    for value in values:
        if value not in KNOWN_TYPES and value not in families and value != "*":
            raise ValueError(f"unknown event type {value!r}")
    return sorted(set(values))


class EndpointIn(BaseModel):
    """A receiver: its URL, the event types it wants (empty: all; `shipment.*`: a family) and whether it is on."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(max_length=2048)
    event_types: list[str] = Field(default_factory=list, max_length=50)
    enabled: bool = True
    description: Annotated[str, Text] = Field(default="", max_length=200)

    _types = field_validator("event_types")(_check_types)


class EndpointPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(default=None, max_length=2048)
    event_types: list[str] | None = Field(default=None, max_length=50)
    enabled: bool | None = None
    description: Annotated[str | None, Text] = Field(default=None, max_length=200)

    @field_validator("event_types")
    @classmethod
    def _types(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else _check_types(value)


class EndpointOut(BaseModel):
    id: int
    url: str
    description: str
    event_types: list[str]
    enabled: bool
    disabled_reason: str | None
    failing_since: datetime | None
    created_at: datetime
    updated_at: datetime


class EndpointCreatedOut(EndpointOut):
    secret: str = Field(description="The signing secret (Standard Webhooks `whsec_...`): shown only now.")


class SecretOut(BaseModel):
    secret: str = Field(description="The new signing secret; the old one keeps signing alongside for 24 hours.")
    previous_secret_expires_at: datetime


class AttemptOut(BaseModel):
    id: int
    at: datetime
    delivery_id: int | None
    event_id: int | None
    message_id: str
    event_type: str
    attempt: int
    status: int | None
    latency_ms: float
    response_excerpt: str
    error: str | None


class DeliveryLogOut(BaseModel):
    counts: dict[str, int]
    items: list[AttemptOut]
    next_before: int | None


class ReplayIn(BaseModel):
    """Send again every event of [since, until) the endpoint subscribes to; `failed_only` just the dead ones."""

    model_config = ConfigDict(extra="forbid")

    since: datetime
    until: datetime | None = None
    failed_only: bool = False


class ReplayOut(BaseModel):
    queued: int


class PingOut(BaseModel):
    message_id: str
    status: int | None
    latency_ms: float
    ok: bool
    error: str | None


def _out(row: WebhookEndpointRow) -> EndpointOut:
    return EndpointOut.model_validate(row, from_attributes=True)


def _url(value: str, allow_private: bool) -> str:
    try:
        return check_url(value.strip(), allow_private=allow_private)
    except UnsafeUrl as exc:
        raise ApiError(422, f"url {exc}", fields=[FieldError("url", str(exc))]) from None


def _subject(row: WebhookEndpointRow) -> str:
    return f"webhook endpoint {row.id}"


async def _endpoint(session: SessionDep, merchant_id: str, endpoint_id: int) -> WebhookEndpointRow:
    row = await q.get_endpoint(session, merchant_id, endpoint_id)
    if row is None:
        raise not_found("webhook endpoint")
    return row


@router.post("", status_code=201, response_model=EndpointCreatedOut)
async def create_endpoint(
    body: EndpointIn, merchant: MerchantDep, session: SessionDep, runtime: RuntimeDep, actor: ActorDep
) -> EndpointCreatedOut:
    """Add a receiver; the answer holds its signing secret, which is never shown again."""
    url = _url(body.url, runtime.settings.webhook_allow_private_urls)
    created = await q.create_endpoint(
        session,
        runtime.cipher,
        merchant.id,
        url=url,
        event_types=body.event_types,
        enabled=body.enabled,
        description=body.description,
    )
    await record_activity(
        session, actor, "webhook_endpoint.created", _subject(created.row), {"url": url}, merchant_id=merchant.id
    )
    return EndpointCreatedOut(**_out(created.row).model_dump(), secret=created.secret)


@router.get("", response_model=list[EndpointOut])
async def list_endpoints(merchant: MerchantDep, session: SessionDep) -> list[EndpointOut]:
    return [_out(r) for r in await q.list_endpoints(session, merchant.id)]


@router.get("/{endpoint_id}", response_model=EndpointOut)
async def get_endpoint(endpoint_id: EndpointId, merchant: MerchantDep, session: SessionDep) -> EndpointOut:
    return _out(await _endpoint(session, merchant.id, endpoint_id))


@router.patch("/{endpoint_id}", response_model=EndpointOut)
async def patch_endpoint(
    endpoint_id: EndpointId,
    body: EndpointPatch,
    merchant: MerchantDep,
    session: SessionDep,
    runtime: RuntimeDep,
    actor: ActorDep,
) -> EndpointOut:
    """Change the URL, the event types, the description, or switch it on (resuming its waiting deliveries) or off."""
    row = await _endpoint(session, merchant.id, endpoint_id)
    now = utcnow()
    if body.url is not None:
        row.url = _url(body.url, runtime.settings.webhook_allow_private_urls)
    if body.event_types is not None:
        row.event_types = body.event_types
    if body.description is not None:
        row.description = body.description
    if body.enabled is not None and body.enabled != row.enabled:
        q.set_enabled(row, body.enabled, now=now)
        if body.enabled:
            await restart_window(session, row.id, now=now)
    row.updated_at = now
    await session.flush()
    changed = [name for name in ("url", "event_types", "description", "enabled") if getattr(body, name) is not None]
    details: dict[str, DetailValue] = {"changed": changed, "enabled": row.enabled}
    await record_activity(session, actor, "webhook_endpoint.changed", _subject(row), details, merchant_id=merchant.id)
    return _out(row)


@router.delete("/{endpoint_id}", status_code=204)
async def delete_endpoint(
    endpoint_id: EndpointId, merchant: MerchantDep, session: SessionDep, actor: ActorDep
) -> Response:
    """Remove the endpoint with its pending deliveries and its log."""
    row = await _endpoint(session, merchant.id, endpoint_id)
    await record_activity(session, actor, "webhook_endpoint.deleted", _subject(row), merchant_id=merchant.id)
    await session.delete(row)
    return Response(status_code=204)


@router.post("/{endpoint_id}/rotate-secret", response_model=SecretOut)
async def rotate_secret(
    endpoint_id: EndpointId, merchant: MerchantDep, session: SessionDep, runtime: RuntimeDep, actor: ActorDep
) -> SecretOut:
    row = await _endpoint(session, merchant.id, endpoint_id)
    secret = q.rotate_secret(runtime.cipher, row, now=utcnow())
    await record_activity(session, actor, "webhook_endpoint.secret_rotated", _subject(row), merchant_id=merchant.id)
    assert row.previous_secret_expires_at is not None
    return SecretOut(secret=secret, previous_secret_expires_at=row.previous_secret_expires_at)


@router.get("/{endpoint_id}/deliveries", response_model=DeliveryLogOut)
async def delivery_log(
    endpoint_id: EndpointId,
    merchant: MerchantDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
) -> DeliveryLogOut:
    """The newest attempts first: time, attempt number, status, latency and the first 1 KB of each answer."""
    await _endpoint(session, merchant.id, endpoint_id)
    rows = await recent_attempts(session, merchant.id, endpoint_id, limit=limit + 1, before=before)
    more = len(rows) > limit
    rows = rows[:limit]
    return DeliveryLogOut(
        counts=await delivery_counts(session, merchant.id, endpoint_id),
        items=[AttemptOut.model_validate(r, from_attributes=True) for r in rows],
        next_before=rows[-1].id if more and rows else None,
    )


@router.post("/{endpoint_id}/deliveries/{delivery_id}/replay", response_model=ReplayOut)
async def replay_one(
    endpoint_id: EndpointId, delivery_id: EndpointId, merchant: MerchantDep, session: SessionDep
) -> ReplayOut:
    """Send one delivery again (same webhook-id), whatever its state."""
    await _endpoint(session, merchant.id, endpoint_id)
    if not await deliveries.replay_delivery(session, merchant.id, delivery_id, now=utcnow(), endpoint_id=endpoint_id):
        raise not_found("delivery")
    return ReplayOut(queued=1)


@router.post("/{endpoint_id}/replay", response_model=ReplayOut)
async def replay_range(
    endpoint_id: EndpointId, body: ReplayIn, merchant: MerchantDep, session: SessionDep
) -> ReplayOut:
    row = await _endpoint(session, merchant.id, endpoint_id)
    now = utcnow()
    since = body.since if body.since.tzinfo else body.since.replace(tzinfo=UTC)
    until = body.until or now
    until = until if until.tzinfo else until.replace(tzinfo=UTC)
    if until <= since:
        raise ApiError(422, "until must be after since", fields=[FieldError("until", "must be after since")])
    queued = await deliveries.replay_range(
        session, row, since=since, until=until, now=now, failed_only=body.failed_only
    )
    return ReplayOut(queued=queued)


@router.post("/{endpoint_id}/test", response_model=PingOut)
async def test_endpoint(
    endpoint_id: EndpointId, request: Request, merchant: MerchantDep, session: SessionDep, runtime: RuntimeDep
) -> PingOut:
    """Send a signed `webhook.test` ping now and report how the receiver answered."""
    row = await _endpoint(session, merchant.id, endpoint_id)
    transport = getattr(request.app.state, "webhook_transport", None)
    async with httpx.AsyncClient(transport=transport, follow_redirects=False) as http:
        msg_id, result = await send_ping(session, http, runtime.cipher, runtime.settings, row)
    return PingOut(
        message_id=msg_id, status=result.status, latency_ms=result.latency_ms, ok=result.ok, error=result.error
    )
