"""Login and logout."""

from __future__ import annotations

from math import ceil

from fastapi import APIRouter, Depends, Form, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from parcelsync.db.engine import unit_of_work
from parcelsync.security import login_throttle, web_sessions
from parcelsync.web import auth
from parcelsync.web.app import PREFIX, Dashboard, csrf_checked, dashboard, live_session, render

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only local dashboard paths: never an open redirect."""
    if target and target.startswith(PREFIX) and not target.startswith("//"):
        return target
    return f"{PREFIX}/"


def _login_form(request: Request, dash: Dashboard, error: str | None = None, status_code: int = 200) -> HTMLResponse:
    token, cookie = dash.codec.login_token()
    configured = getattr(dash.authenticator, "configured", True)
    response = render(
        request,
        "login.html",
        None,
        status_code=status_code,
        login_token=token,
        error=error,
        next=_safe_next(request.query_params.get("next")),
        configured=configured,
    )
    auth.set_login_cookie(response, request, cookie)
    return response


@router.get("/login")
async def login_page(request: Request, dash: Dashboard = Depends(dashboard)) -> Response:
    if await live_session(request, dash) is not None:
        return RedirectResponse(_safe_next(request.query_params.get("next")), status_code=303)
    return _login_form(request, dash)


@router.post("/login")
async def login_submit(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    csrf_token: str = Form(""),
    next: str = Form(""),
    dash: Dashboard = Depends(dashboard),
) -> Response:
    if not dash.codec.check_login_token(csrf_token, request.cookies.get(auth.LOGIN_COOKIE)):
        return _login_form(request, dash, "The login form expired; please try again.", 400)
    client = request.client.host if request.client else ""
    now = dash.clock()
    async with unit_of_work(dash.sessions) as session:
        wait = await login_throttle.retry_after(session, username, client, now)
    if wait is not None:
        response = _login_form(request, dash, f"Too many failed logins; try again in {ceil(wait / 60)} min.", 429)
        response.headers["Retry-After"] = str(max(1, ceil(wait)))
        return response
    user = await dash.authenticator.authenticate(username, password)
    if user is None:
        async with unit_of_work(dash.sessions) as session:
            await login_throttle.record_failure(session, username, client, now)
        return _login_form(request, dash, "Wrong username or password.", 401)
    async with unit_of_work(dash.sessions) as session:
        await login_throttle.record_success(session, username, client)
        await web_sessions.end_session(session, request.cookies.get(auth.SESSION_COOKIE) or "", now)
        await web_sessions.prune_sessions(session, dash.policy, now)
        token = await web_sessions.start_session(
            session, user_id=user.user_id, username=user.username, ip=client,
            user_agent=request.headers.get("user-agent", ""), now=now,
        )  # fmt: skip
    done = RedirectResponse(_safe_next(next), status_code=303)
    auth.set_session_cookie(done, request, token, dash.policy.absolute_s)
    return done


@router.post("/logout")
async def logout(
    request: Request, _ws: auth.WebSession = Depends(csrf_checked), dash: Dashboard = Depends(dashboard)
) -> Response:
    """End the stored session (the old cookie opens nothing any more) and drop the cookie."""
    async with unit_of_work(dash.sessions) as session:
        await web_sessions.end_session(session, request.cookies.get(auth.SESSION_COOKIE) or "", dash.clock())
    response = RedirectResponse(f"{PREFIX}/login", status_code=303)
    auth.end_session(response)
    return response
