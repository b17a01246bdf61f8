"""API tokens: create (the secret shown once), list (name, scope, created, last used), revoke.

The same use cases as `parcelsync tokens` (security/tokens.py). A merchant's operators make read
and write tokens for that merchant; only an admin makes admin tokens. Viewers only look.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from parcelsync.security import tokens
from parcelsync.security.tokens import IssuedToken, Scope, TokenError, TokenInfo
from parcelsync.web.app import PREFIX, Page, db, page, post_page, render

router = APIRouter()
MAX_NAME_CHARS = 100


def _scopes(pg: Page) -> list[Scope]:
    return [Scope.READ, Scope.WRITE, Scope.ADMIN] if pg.session.user.is_admin else [Scope.READ, Scope.WRITE]


async def _listed(session: AsyncSession, pg: Page) -> list[TokenInfo]:
    """This merchant's tokens, and for an admin the admin tokens too."""
    listed = await tokens.list_tokens(session, merchant_id=pg.merchant_id) if pg.merchant_id else []
    if pg.session.user.is_admin:
        listed += [t for t in await tokens.list_tokens(session) if t.merchant_id is None]
    return sorted(listed, key=lambda t: t.id)


async def _render(
    request: Request,
    session: AsyncSession,
    pg: Page,
    *,
    issued: IssuedToken | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    context = {"tokens": await _listed(session, pg), "scopes": _scopes(pg), "issued": issued, "error": error}
    flash = "Token revoked." if request.query_params.get("revoked") == "1" else None
    return render(request, "tokens.html", pg, status_code, nav="tokens", flash=flash, **context)


@router.get("/tokens", response_class=HTMLResponse)
async def tokens_page(request: Request, pg: Page = Depends(page), session: AsyncSession = Depends(db)) -> HTMLResponse:
    return await _render(request, session, pg)


@router.post("/tokens", response_class=HTMLResponse)
async def create(
    request: Request,
    name: str = Form(""),
    scope: str = Form(""),
    pg: Page = Depends(post_page),
    session: AsyncSession = Depends(db),
) -> HTMLResponse:
    """Create a token and show its secret on this one answer only."""
    allowed = {s.value for s in _scopes(pg)}
    if scope not in allowed:
        error = f"scope: choose one of {', '.join(sorted(allowed))}"
        return await _render(request, session, pg, error=error, status_code=422)
    chosen = Scope(scope)
    merchant_id = None if chosen is Scope.ADMIN else pg.merchant_id
    if chosen is not Scope.ADMIN and merchant_id is None:
        return await _render(request, session, pg, error="merchant: create a merchant first", status_code=422)
    try:
        issued = await tokens.create_token(
            session, scope=chosen, merchant_id=merchant_id, name=name.strip()[:MAX_NAME_CHARS], actor=pg.actor
        )
    except TokenError as exc:
        return await _render(request, session, pg, error=str(exc), status_code=422)
    response = await _render(request, session, pg, issued=issued, status_code=201)
    response.headers["Cache-Control"] = "no-store"  # the page holds the secret
    return response


@router.post("/tokens/{token_id}/revoke")
async def revoke(token_id: int, pg: Page = Depends(post_page), session: AsyncSession = Depends(db)) -> Response:
    """Revoke one of this merchant's tokens (an admin may revoke admin tokens as well)."""
    done = False
    if pg.merchant_id is not None:
        done = await tokens.revoke_token(session, token_id, merchant_id=pg.merchant_id, actor=pg.actor)
    if not done and pg.session.user.is_admin:
        admin_tokens = {t.id for t in await tokens.list_tokens(session) if t.merchant_id is None}
        done = token_id in admin_tokens and await tokens.revoke_token(session, token_id, actor=pg.actor)
    if not done:
        return PlainTextResponse("No such active token.", 404)
    return RedirectResponse(f"{PREFIX}/tokens?revoked=1", status_code=303)
