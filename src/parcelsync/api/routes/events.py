"""`GET /v1/events`: the merchant's events, oldest first after a cursor, by type and by shipment."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from parcelsync.api.deps import MerchantDep, SessionDep
from parcelsync.api.errors import ApiError
from parcelsync.events.feed import list_events
from parcelsync.events.types import EventType
from parcelsync.ingest.errors import FieldError

router = APIRouter(prefix="/v1/events", tags=["events"])


class EventOut(BaseModel):
    """One event; `id` is also the cursor: pass the last one seen as `after` to read on."""

    id: int
    type: str
    created_at: datetime
    shipment_id: int | None
    subject: str | None
    data: dict[str, Any]


class EventPageOut(BaseModel):
    items: list[EventOut]
    next_after: int | None
    has_more: bool


def _types(values: list[str]) -> list[str]:
    known = {t.value for t in EventType}
    wanted = [v.strip() for value in values for v in value.split(",") if v.strip()]
    unknown = [v for v in wanted if v not in known]
    if unknown:
        raise ApiError(
            422, f"unknown event type {unknown[0]!r}", fields=[FieldError("type", f"one of {', '.join(sorted(known))}")]
        )
    return wanted


@router.get("", response_model=EventPageOut)
async def events_feed(
    merchant: MerchantDep,
    session: SessionDep,
    after: Annotated[int | None, Query(ge=0, le=2**63 - 1, description="next_after of the previous page")] = None,
    type: Annotated[list[str], Query(max_length=50, description="Event types (repeat or comma-separate)")] = [],  # noqa: B006
    shipment_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> EventPageOut:
    """Events oldest first. Poll with `after` = the last `next_after`: an empty page means nothing new yet."""
    rows = await list_events(
        session, merchant.id, after=after, types=_types(type), shipment_id=shipment_id, limit=limit + 1
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return EventPageOut(
        items=[EventOut.model_validate(r, from_attributes=True) for r in rows],
        next_after=rows[-1].id if rows else after,
        has_more=more,
    )
