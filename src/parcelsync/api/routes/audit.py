"""`GET /v1/shipments/{id}/audit`: the outbound provider calls that carried this shipment's targets."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel
from sqlalchemy import String, cast, select
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.api.deps import MerchantDep, SessionDep
from parcelsync.api.errors import not_found
from parcelsync.api.params import MAX_ID
from parcelsync.db.queries import shipments as q
from parcelsync.db.tables import AuditRow
from parcelsync.sync.keys import TargetKey, history_keys

router = APIRouter(prefix="/v1/shipments", tags=["shipments"])


class AuditEntryOut(BaseModel):
    """One provider call (credentials never recorded; summaries are redacted by the sync engine)."""

    id: int
    at: datetime
    provider: str
    method: str
    path: str
    status: int | None
    latency_ms: float
    attempt: int
    trace_id: str | None
    target_keys: list[str]
    request_summary: dict[str, Any] | None
    response_summary: dict[str, Any] | None
    error: str | None


class AuditPageOut(BaseModel):
    items: list[AuditEntryOut]
    next_before: int | None


def _contains_key(key: str) -> str:
    """A LIKE pattern matching the JSON list text that holds `key` as an element."""
    quoted = json.dumps(key)
    return "%" + quoted.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


async def audit_for(
    session: AsyncSession, merchant_id: str, keys: set[TargetKey], *, limit: int, before: int | None
) -> list[AuditRow]:
    """The newest calls (id < before) whose target_keys include one of `keys`, newest first."""
    found: dict[int, AuditRow] = {}
    for key in keys:
        stmt = select(AuditRow).where(
            AuditRow.merchant_id == merchant_id,
            AuditRow.provider == key.provider.value,
            cast(AuditRow.target_keys, String).like(_contains_key(key.key), escape="\\"),
        )
        if before is not None:
            stmt = stmt.where(AuditRow.id < before)
        for row in await session.scalars(stmt.order_by(AuditRow.id.desc()).limit(limit)):
            if key.key in (row.target_keys or []):
                found[row.id] = row
    return sorted(found.values(), key=lambda r: r.id, reverse=True)[:limit]


@router.get("/{shipment_id}/audit", response_model=AuditPageOut)
async def shipment_audit(
    shipment_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    merchant: MerchantDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    before: Annotated[int | None, Query(ge=1, le=MAX_ID, description="next_before of the previous page")] = None,
) -> AuditPageOut:
    """Calls to UseePay, SHOPLINE and TrackingMore for this shipment's payment intent, fulfillment and tracking."""
    row = await q.get_shipment(session, merchant.id, shipment_id, include_deleted=True)
    if row is None:
        raise not_found("shipment")
    rows = await audit_for(session, merchant.id, history_keys(row), limit=limit + 1, before=before)
    more = len(rows) > limit
    rows = rows[:limit]
    return AuditPageOut(
        items=[AuditEntryOut.model_validate(r, from_attributes=True) for r in rows],
        next_before=rows[-1].id if more and rows else None,
    )
