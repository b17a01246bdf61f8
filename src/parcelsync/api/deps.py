"""Request dependencies: the app's runtime, the per-request unit of work, and the merchant in scope.

All merchant resolution lives in `current_merchant`; authentication replaces its internals only.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from parcelsync.api.errors import ApiError
from parcelsync.db.crypto import CredentialCipher
from parcelsync.db.engine import unit_of_work
from parcelsync.db.queries.merchants import get_merchant
from parcelsync.db.tables import MerchantRow
from parcelsync.ingest.errors import FieldError
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


async def current_merchant(
    request: Request,
    session: SessionDep,
    x_merchant_id: Annotated[
        str | None, Header(description="The merchant acted for (ignored where the path names the merchant).")
    ] = None,
) -> MerchantRow:
    """The merchant a request acts for: the `{merchant_id}` path segment, else the X-Merchant-Id header."""
    from_path = request.path_params.get("merchant_id")
    merchant_id = from_path or x_merchant_id
    source = "merchant_id" if from_path else "X-Merchant-Id"
    if not merchant_id:
        raise ApiError(
            400, "X-Merchant-Id header is required", code="merchant_required", fields=[FieldError(source, "required")]
        )
    merchant = await get_merchant(session, merchant_id) if len(merchant_id) <= 64 else None
    if merchant is None:
        raise ApiError(404, "merchant not found", fields=[FieldError(source, "no such merchant")])
    return merchant


MerchantDep = Annotated[MerchantRow, Depends(current_merchant)]
