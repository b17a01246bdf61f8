"""Users: list, create (role and merchant), reset password (which ends their sessions), deactivate, activate.

An admin manages every user; an operator manages its own merchant's operators and viewers
(security/roles.py decides); a viewer only sees the list of its merchant's users.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from parcelsync.activity.record import record_activity
from parcelsync.db.base import utcnow
from parcelsync.security import passwords, web_sessions
from parcelsync.security.passwords import PasswordPolicyError, User
from parcelsync.security.roles import Role, grantable_roles, may_manage_user
from parcelsync.web.app import PREFIX, Page, db, page, post_page, render

router = APIRouter()
FLASHES = {
    "created": "User created.",
    "password": "Password reset; every session of theirs has ended.",
    "deactivated": "User deactivated; every session of theirs has ended.",
    "activated": "User can sign in again.",
}


def _manages(pg: Page, user: User) -> bool:
    me = pg.session.user
    return pg.can_change and may_manage_user(me.role, me.merchant_id, user.role, user.merchant_id)


async def _render(
    request: Request, session: AsyncSession, pg: Page, *, error: str | None = None, status_code: int = 200
) -> HTMLResponse:
    me = pg.session.user
    users = await passwords.list_users(session, merchant_id=None if me.is_admin else me.merchant_id or "")
    rows = [(u, _manages(pg, u)) for u in users]
    merchants = pg.merchants if me.is_admin else [m for m in pg.merchants if m[0] == me.merchant_id]
    flash = FLASHES.get(request.query_params.get("done") or "")
    return render(
        request,
        "users.html",
        pg,
        status_code,
        nav="users",
        rows=rows,
        roles=grantable_roles(me.role) if pg.can_change else [],
        merchants=merchants,
        names=dict(pg.merchants),
        error=error,
        flash=flash,
    )


@router.get("/users", response_class=HTMLResponse)
async def users_page(request: Request, pg: Page = Depends(page), session: AsyncSession = Depends(db)) -> HTMLResponse:
    return await _render(request, session, pg)


@router.post("/users", response_class=HTMLResponse)
async def create(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    role: str = Form(""),
    merchant_id: str = Form(""),
    pg: Page = Depends(post_page),
    session: AsyncSession = Depends(db),
) -> Response:
    me = pg.session.user
    if role not in {r.value for r in grantable_roles(me.role)}:
        return await _render(request, session, pg, error="role: choose one from the list", status_code=422)
    chosen = Role(role)
    merchant = None if chosen is Role.ADMIN else (merchant_id or None)
    if not may_manage_user(me.role, me.merchant_id, chosen, merchant):
        return await _render(request, session, pg, error="merchant: not one you manage", status_code=422)
    if chosen is not Role.ADMIN and not await passwords.has_users(session):
        error = "role: the first user must be an admin (the admin password stops working once a user exists)"
        return await _render(request, session, pg, error=error, status_code=422)
    try:
        await passwords.create_user(session, username, password, merchant_id=merchant, role=chosen, actor=pg.actor)
    except PasswordPolicyError as exc:
        return await _render(request, session, pg, error=str(exc), status_code=422)
    return RedirectResponse(f"{PREFIX}/users?done=created", status_code=303)


@router.post("/users/{user_id}/password", response_class=HTMLResponse)
async def reset_password(
    request: Request,
    user_id: int,
    password: str = Form(""),
    pg: Page = Depends(post_page),
    session: AsyncSession = Depends(db),
) -> Response:
    """Give a user a new password (they sign in with it from now on)."""
    user = await _managed(session, pg, user_id)
    if user is None:
        return PlainTextResponse("No such user among those you manage.", 404)
    try:
        await passwords.set_password(session, user.username, password, actor=pg.actor)
    except PasswordPolicyError as exc:
        return await _render(request, session, pg, error=f"password: {exc}", status_code=422)
    return RedirectResponse(f"{PREFIX}/users?done=password", status_code=303)


async def _managed(session: AsyncSession, pg: Page, user_id: int) -> User | None:
    user = await passwords.get_user(session, user_id)
    return user if user is not None and _manages(pg, user) else None


@router.post("/users/{user_id}/deactivate", response_class=HTMLResponse)
async def deactivate(
    request: Request, user_id: int, pg: Page = Depends(post_page), session: AsyncSession = Depends(db)
) -> Response:
    """The user can no longer sign in and every session of theirs ends now (security/web_sessions.py)."""
    user = await _managed(session, pg, user_id)
    if user is None:
        return PlainTextResponse("No such user among those you manage.", 404)
    if user.id == pg.session.user.user_id:
        return await _render(request, session, pg, error="user: you cannot deactivate yourself", status_code=422)
    ended = await web_sessions.deactivate_user(session, user.username, utcnow())
    details = {"sessions_ended": ended}
    subject = f"user {user.username}"
    await record_activity(session, pg.actor, "user.deactivated", subject, details, merchant_id=user.merchant_id)
    return RedirectResponse(f"{PREFIX}/users?done=deactivated", status_code=303)


@router.post("/users/{user_id}/activate", response_class=HTMLResponse)
async def activate(user_id: int, pg: Page = Depends(post_page), session: AsyncSession = Depends(db)) -> Response:
    user = await _managed(session, pg, user_id)
    if user is None:
        return PlainTextResponse("No such user among those you manage.", 404)
    if await web_sessions.activate_user(session, user.username):
        subject = f"user {user.username}"
        await record_activity(session, pg.actor, "user.activated", subject, merchant_id=user.merchant_id)
    return RedirectResponse(f"{PREFIX}/users?done=activated", status_code=303)
