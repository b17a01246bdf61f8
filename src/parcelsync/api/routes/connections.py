"""A merchant's provider connections; credentials are write-only and always shown masked."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.activity.record import Actor
from parcelsync.api.deps import ActorDep, MerchantDep, MerchantPath, Runtime, RuntimeDep, SessionDep, admin_only
from parcelsync.api.errors import ApiError, not_found
from parcelsync.connectors.registry import connector_for
from parcelsync.db.queries import connections as q
from parcelsync.db.queries.connections import ConnectionView
from parcelsync.domain.provider import Provider
from parcelsync.ingest.connections import ConnectionChange, ConnectionNotFound, Mode, change_connection
from parcelsync.ingest.errors import FieldError

router = APIRouter(prefix="/v1/merchants/{merchant_id}/connections", tags=["connections"], dependencies=[MerchantPath])


class ConnectionPut(BaseModel):
    """Create or replace a connection. Credentials left out of a replacement are kept."""

    model_config = ConfigDict(extra="forbid")

    base_url: str | None = Field(default=None, max_length=500, description="Defaults to the production URL.")
    credentials: dict[str, Any] = Field(
        default_factory=dict,
        description="Write-only; never returned in clear. Needed to create the connection (409 without); "
        "left out of a replacement, the stored ones are kept.",
    )
    options: dict[str, Any] = Field(default_factory=dict)
    enabled: bool = True


class ConnectionPatch(BaseModel):
    """Change some of a connection: given credentials and options are laid over the stored ones."""

    model_config = ConfigDict(extra="forbid")

    base_url: str | None = Field(default=None, max_length=500)
    credentials: dict[str, Any] | None = None
    options: dict[str, Any] | None = None
    enabled: bool | None = None


def _public(provider: Provider) -> tuple[str, ...]:
    return connector_for(provider).public_credentials


async def _save(
    session: AsyncSession,
    runtime: Runtime,
    merchant_id: str,
    provider: Provider,
    change: ConnectionChange,
    mode: Mode,
    actor: Actor,
) -> tuple[ConnectionView, bool]:
    try:
        row, created = await change_connection(
            session, runtime.cipher, merchant_id, provider, change, mode=mode, actor=actor
        )
    except ConnectionNotFound:
        raise not_found("connection") from None
    return q.view(row, runtime.cipher, public=_public(provider)), created


@router.get("", response_model=list[ConnectionView])
async def list_connections(merchant: MerchantDep, session: SessionDep, runtime: RuntimeDep) -> list[ConnectionView]:
    rows = await q.list_connection_rows(session, merchant.id)
    return [q.view(r, runtime.cipher, public=_public(Provider(r.provider))) for r in rows]


@router.get("/{provider}", response_model=ConnectionView)
async def get_connection(
    provider: Provider, merchant: MerchantDep, session: SessionDep, runtime: RuntimeDep
) -> ConnectionView:
    row = await q.get_connection_row(session, merchant.id, provider)
    if row is None:
        raise not_found("connection")
    return q.view(row, runtime.cipher, public=_public(provider))


@router.put(
    "/{provider}",
    response_model=ConnectionView,
    responses={201: {"model": ConnectionView}},
    dependencies=[Depends(admin_only)],  # base_url decides where the worker connects: operators only
)
async def put_connection(
    provider: Provider,
    body: ConnectionPut,
    response: Response,
    merchant: MerchantDep,
    session: SessionDep,
    runtime: RuntimeDep,
    actor: ActorDep,
) -> ConnectionView:
    if not body.credentials and await q.get_connection_row(session, merchant.id, provider) is None:
        raise ApiError(
            409, f"no {provider.value} connection yet: creating it needs its credentials",
            fields=[FieldError("credentials", "required to create the connection (left out, stored ones are kept)")],
        )
    change = ConnectionChange(
        body.base_url, body.credentials, body.options, body.enabled, runtime.settings.allow_private_base_urls
    )
    view, created = await _save(session, runtime, merchant.id, provider, change, "replace", actor)
    response.status_code = 201 if created else 200
    return view


@router.patch("/{provider}", response_model=ConnectionView, dependencies=[Depends(admin_only)])
async def patch_connection(
    provider: Provider,
    body: ConnectionPatch,
    merchant: MerchantDep,
    session: SessionDep,
    runtime: RuntimeDep,
    actor: ActorDep,
) -> ConnectionView:
    change = ConnectionChange(
        body.base_url, body.credentials, body.options, body.enabled, runtime.settings.allow_private_base_urls
    )
    view, _ = await _save(session, runtime, merchant.id, provider, change, "merge", actor)
    return view
