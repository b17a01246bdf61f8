"""Bearer-token authentication: who is calling, and whether they may use this route for this merchant.

Rules (api/deps.py applies them to every route through one app-wide dependency):
- every `/v1` route except the signed webhooks needs `Authorization: Bearer <token>` (401 otherwise);
- `/metrics` needs the metrics token when `metrics_token` is set (and then only that token), else an
  admin token unless `metrics_public`; `/healthz` and `/readyz` are open;
- a read token may only GET; a merchant token never reaches another merchant (404, as if absent);
- a merchant token may only use routes that resolve the merchant through `current_merchant`, plus
  the merchant-free reference routes below; everything else (creating and listing merchants,
  managing connections) needs an admin token. New routes are therefore closed to merchant tokens
  until they resolve their merchant the standard way.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.dependencies.models import Dependant
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.exceptions import HTTPException
from starlette.routing import BaseRoute

from parcelsync.api.errors import ApiError
from parcelsync.security.tokens import Principal, verify_token

WWW_AUTHENTICATE = {"WWW-Authenticate": "Bearer"}
OPEN_PREFIXES = ("/v1/webhooks/",)
MERCHANT_FREE_PATHS = frozenset({"/v1/carriers"})
MAX_MERCHANT_ID_CHARS = 64


def bearer_token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return (token.strip() or None) if scheme.lower() == "bearer" else None


def needs_token(path: str, *, metrics_public: bool) -> bool:
    if path == "/metrics":
        return not metrics_public
    return (path == "/v1" or path.startswith("/v1/")) and not path.startswith(OPEN_PREFIXES)


def check_metrics_token(request: Request, expected: str) -> None:
    """401 unless the request carries exactly the metrics token (compared in constant time)."""
    token = bearer_token(request) or ""
    if not hmac.compare_digest(token.encode(), expected.encode()):
        raise unauthorized("/metrics needs its token: send Authorization: Bearer <PARCELSYNC_METRICS_TOKEN>")


def unauthorized(message: str) -> HTTPException:
    return HTTPException(401, message, headers=WWW_AUTHENTICATE)


def forbidden(message: str) -> ApiError:
    return ApiError(403, message, code="insufficient_scope")


def merchant_hidden() -> ApiError:
    return ApiError(404, "merchant not found")


def _calls(dependant: Dependant) -> set[Callable[..., Any]]:
    found: set[Callable[..., Any]] = set()
    for sub in dependant.dependencies:
        if sub.call is not None:
            found.add(sub.call)
        found |= _calls(sub)
    return found


_CACHE_ATTR = "_parcelsync_dependency_calls"


def route_depends_on(route: BaseRoute | None, call: Callable[..., Any]) -> bool:
    """Whether a route's dependency tree includes `call` (computed once, kept on the route object)."""
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return False
    calls = getattr(route, _CACHE_ATTR, None)
    if calls is None:
        calls = frozenset(_calls(dependant))
        setattr(route, _CACHE_ATTR, calls)
    return call in calls


async def authenticate(
    request: Request, session: AsyncSession, *, metrics_public: bool, metrics_token: str | None = None
) -> Principal | None:
    """The caller's principal (None on open routes); raises 401/403/404 per the rules above."""
    if hasattr(request.state, "principal"):
        cached: Principal | None = request.state.principal
        return cached
    principal = None
    if metrics_token and request.url.path == "/metrics":
        check_metrics_token(request, metrics_token)
        request.state.principal = principal
        return principal
    if needs_token(request.url.path, metrics_public=metrics_public):
        token = bearer_token(request)
        if token is None:
            raise unauthorized("an API token is required: send Authorization: Bearer <token>")
        principal = await verify_token(session, token)
        if principal is None:
            raise unauthorized("the API token is unknown or revoked")
        if request.url.path == "/metrics" and not principal.is_admin:
            raise forbidden("metrics need an admin token")
        if not principal.may(request.method):
            raise forbidden("this token is read-only")
        named = request.path_params.get("merchant_id")
        if named is not None and not principal.may_act_on(named):
            raise merchant_hidden()
    request.state.principal = principal
    return principal


def check_route_access(request: Request, principal: Principal | None, merchant_resolver: Callable[..., Any]) -> None:
    """Deny merchant tokens every route that does not resolve its merchant through `merchant_resolver`."""
    if principal is None or principal.is_admin:
        return
    route = request.scope.get("route")
    if getattr(route, "path", None) in MERCHANT_FREE_PATHS:
        return
    if not route_depends_on(route, merchant_resolver):
        raise forbidden("this route needs an admin token")


def resolve_merchant_id(principal: Principal | None, from_path: str | None, from_header: str | None) -> str | None:
    """The merchant a request acts for; a merchant token always acts for its own merchant."""
    if principal is None or principal.is_admin:
        return from_path or from_header
    for named in (from_path, from_header):
        if named is not None and named != principal.merchant_id:
            raise merchant_hidden()
    return principal.merchant_id


def require_admin(principal: Principal | None) -> None:
    if principal is None or not principal.is_admin:
        raise forbidden("this route needs an admin token")
