"""Merchants: create, list and rename (admin tokens); read (a merchant token reads its own)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from parcelsync.activity.record import record_activity
from parcelsync.api.deps import ActorDep, MerchantDep, MerchantPath, SessionDep, admin_only
from parcelsync.api.errors import ApiError
from parcelsync.api.params import Name
from parcelsync.api.schemas import MerchantOut, MerchantPage, merchant_out
from parcelsync.db.queries import merchants as q
from parcelsync.ingest.errors import FieldError, described_pattern

router = APIRouter(prefix="/v1/merchants", tags=["merchants"])

MERCHANT_ID_PATTERN = described_pattern(
    r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$", "1-64 letters, digits, '-' or '_', starting with a letter or digit"
)


class MerchantCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(default=None, pattern=MERCHANT_ID_PATTERN, description="Generated when left out.")
    name: Name


class MerchantPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name


@router.post("", status_code=201, response_model=MerchantOut)
async def create_merchant(body: MerchantCreate, session: SessionDep, actor: ActorDep) -> MerchantOut:
    if body.id is not None and await q.get_merchant(session, body.id) is not None:
        raise ApiError(409, "a merchant with this id exists", fields=[FieldError("id", "already exists")])
    row = await q.create_merchant(session, body.name, body.id)
    details = {"name": row.name}
    await record_activity(session, actor, "merchant.created", f"merchant {row.id}", details, merchant_id=row.id)
    return merchant_out(row)


@router.get("", response_model=MerchantPage)
async def list_merchants(
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: Annotated[str | None, Query(max_length=64, description="next_cursor of the previous page")] = None,
) -> MerchantPage:
    rows = await q.list_merchants(session, after=cursor, limit=limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return MerchantPage(items=[merchant_out(r) for r in rows], next_cursor=rows[-1].id if more else None)


@router.get("/{merchant_id}", response_model=MerchantOut, dependencies=[MerchantPath])
async def get_merchant(merchant: MerchantDep) -> MerchantOut:
    return merchant_out(merchant)


@router.patch("/{merchant_id}", response_model=MerchantOut, dependencies=[MerchantPath, Depends(admin_only)])
async def patch_merchant(
    body: MerchantPatch, merchant: MerchantDep, session: SessionDep, actor: ActorDep
) -> MerchantOut:
    renamed = await q.rename_merchant(session, merchant.id, body.name) or merchant
    subject, details = f"merchant {merchant.id}", {"name": renamed.name}
    await record_activity(session, actor, "merchant.renamed", subject, details, merchant_id=merchant.id)
    return merchant_out(renamed)
