"""Request dependencies: the app's runtime, the per-request unit of work, and the merchant in scope.

Every request passes `current_principal` (bearer tokens, api/auth.py); all merchant resolution lives in
`current_merchant`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Path, Request
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from parcelsync.activity.record import Actor
from parcelsync.api import auth
from parcelsync.api.errors import ApiError
from parcelsync.db.crypto import CredentialCipher
from parcelsync.db.engine import unit_of_work
from parcelsync.db.queries.merchants import get_merchant
from parcelsync.db.tables import MerchantRow
from parcelsync.ingest.errors import FieldError
from parcelsync.security.tokens import Principal
from parcelsync.settings import Settings


@dataclass(frozen=True)
class Runtime:
    """What the app factory builds once and every request shares."""

    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    cipher: CredentialCipher


def get_runtime(request: Request) -> Runtime:
    return request.app.state.runtime  # type: ignore[no-any-return]


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def get_session(runtime: RuntimeDep) -> AsyncIterator[AsyncSession]:
    """One transaction per request, committed when the handler returns (before the response is sent)."""
    async with unit_of_work(runtime.sessions) as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


async def current_principal(request: Request, session: SessionDep, runtime: RuntimeDep) -> Principal | None:
    """The caller behind the bearer token (None on open routes); installed app-wide by the app factory."""
    settings = runtime.settings
    principal = await auth.authenticate(
        request, session, metrics_public=settings.metrics_public, metrics_token=settings.metrics_token
    )
    auth.check_route_access(request, principal, current_merchant)
    return principal


PrincipalDep = Annotated[Principal | None, Depends(current_principal)]


def current_actor(principal: PrincipalDep) -> Actor:
    """The token behind the request as the `who` of an activity entry (routes that change things need one)."""
    return principal.actor if principal is not None else Actor.token(0, "anonymous")


ActorDep = Annotated[Actor, Depends(current_actor)]


def admin_only(principal: PrincipalDep) -> None:
    """Route dependency: only admin tokens (creating merchants, managing connections)."""
    auth.require_admin(principal)


async def current_merchant(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    x_merchant_id: Annotated[
        str | None, Header(description="The merchant acted for (ignored where the path names the merchant).")
    ] = None,
) -> MerchantRow:
    """The merchant a request acts for: a merchant token's own; for admin tokens the `{merchant_id}` path
    segment, else the X-Merchant-Id header. Naming another merchant with a merchant token is a 404."""
    from_path = request.path_params.get("merchant_id")
    merchant_id = auth.resolve_merchant_id(principal, from_path, x_merchant_id)
    source = "merchant_id" if from_path else "X-Merchant-Id"
    if not merchant_id:
        raise ApiError(
            400, "X-Merchant-Id header is required", code="merchant_required", fields=[FieldError(source, "required")]
        )
    merchant = await get_merchant(session, merchant_id) if len(merchant_id) <= auth.MAX_MERCHANT_ID_CHARS else None
    if merchant is None:
        raise ApiError(404, "merchant not found", fields=[FieldError(source, "no such merchant")])
    if merchant.deactivated_at is not None and not (principal is not None and principal.is_admin):
        raise ApiError(403, "this merchant is deactivated", code="merchant_deactivated")
    return merchant


MerchantDep = Annotated[MerchantRow, Depends(current_merchant)]


def merchant_in_path(
    merchant_id: Annotated[str, Path(max_length=auth.MAX_MERCHANT_ID_CHARS, description="Merchant id.")],
) -> None:
    """Declares the `{merchant_id}` path segment in the OpenAPI (current_merchant reads it from the request)."""


MerchantPath = Depends(merchant_in_path)
