"""Sync status and replay of parked/dead targets, for the merchant in scope."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.api.deps import MerchantDep, SessionDep
from parcelsync.api.expected import shipment_out_with_expected
from parcelsync.api.params import MAX_ID
from parcelsync.api.schemas import ShipmentOut
from parcelsync.db.base import utcnow
from parcelsync.db.tables import ShipmentRow
from parcelsync.domain.provider import Provider
from parcelsync.sync.outbox import replay
from parcelsync.sync.state import destinations_for, sync_status

router = APIRouter(prefix="/v1/sync", tags=["sync"])


class DestinationOut(BaseModel):
    """A shipment's sync state at one provider: pending, synced at version V, parked/dead with why, or skipped."""

    state: Literal["pending", "synced", "parked", "dead", "skipped"]
    reason: str | None = None
    target_key: str | None = None
    acked_version: int | None = None
    desired_version: int | None = None
    attempts: int | None = None
    next_attempt_at: str | None = None
    last_attempt_at: str | None = None
    last_outcome: dict[str, Any] | None = None
    synced_at: str | None = None


class ShipmentDetailOut(ShipmentOut):
    destinations: dict[str, DestinationOut] = Field(description="per provider: useepay, shopline, trackingmore")


async def shipment_detail(session: AsyncSession, row: ShipmentRow) -> ShipmentDetailOut:
    """A shipment with its per-destination sync state (for `GET /v1/shipments/{id}`)."""
    shipment = await shipment_out_with_expected(session, row)
    return ShipmentDetailOut(**shipment.model_dump(), destinations=await destinations_for(session, row))


class QueueOut(BaseModel):
    depth: int = Field(description="targets waiting (state pending)")
    due: int = Field(description="pending targets whose next attempt time has come")
    oldest_age_s: float | None = Field(description="seconds since the oldest pending target was queued")


class PausedOut(BaseModel):
    merchant_id: str
    provider: str
    paused_until: str | None
    reason: str | None


class SyncStatusOut(BaseModel):
    queues: dict[str, QueueOut]
    counts: dict[str, dict[str, int]] = Field(description="targets per provider and state")
    paused: list[PausedOut] = Field(description="connections paused now (rate limit, auth, quota...), with why")


RetryState = Literal["parked", "dead"]


def _every_retry_state() -> list[RetryState]:
    return ["parked", "dead"]


class RetryIn(BaseModel):
    """Which parked/dead targets to replay: by ids, by provider, or all of the merchant's (empty body)."""

    model_config = ConfigDict(extra="forbid")

    target_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] | None = Field(default=None, max_length=10_000)
    provider: Provider | None = None
    states: list[RetryState] = Field(default_factory=_every_retry_state, min_length=1)


class RetryOut(BaseModel):
    replayed: int
    target_ids: list[int]


@router.get("/status", response_model=SyncStatusOut)
async def get_status(merchant: MerchantDep, session: SessionDep) -> Any:
    """Queue depth and oldest pending age per provider, counts by state, paused connections."""
    return (await sync_status(session, utcnow(), merchant_id=merchant.id)).to_dict()


@router.post("/retry", response_model=RetryOut)
async def retry(body: RetryIn, merchant: MerchantDep, session: SessionDep) -> RetryOut:
    """Put parked/dead targets back in the queue (attempts reset); they sync on the worker's next pass."""
    ids = await replay(
        session, now=utcnow(), ids=body.target_ids, merchant_id=merchant.id, provider=body.provider,
        states=tuple(body.states),
    )
    return RetryOut(replayed=len(ids), target_ids=ids)

