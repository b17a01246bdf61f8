"""Dashboard wiring: the shared context on app.state, request dependencies, rendering and `mount_dashboard`."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
from fastapi import Depends, FastAPI, Request
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from parcelsync.activity.record import Actor
from parcelsync.db.base import utcnow
from parcelsync.db.crypto import CredentialCipher
from parcelsync.db.engine import unit_of_work
from parcelsync.security import web_sessions
from parcelsync.settings import Settings
from parcelsync.web import auth, formatting, queries
from parcelsync.web.imports_jobs import ImportJobs

PREFIX = "/dashboard"
HERE = Path(__file__).parent
MERCHANT_COOKIE = "ps_merchant"


@dataclass
class Dashboard:
    """Everything the dashboard routes share; built once by `mount_dashboard`."""

    settings: Settings
    sessions: async_sessionmaker[AsyncSession]
    cipher: CredentialCipher
    codec: auth.SessionCodec
    authenticator: auth.Authenticator
    templates: Jinja2Templates
    http_factory: Callable[[], httpx.AsyncClient]
    imports: ImportJobs = field(default_factory=ImportJobs)
    stats: queries.StatsCache = field(default_factory=queries.StatsCache)
    policy: web_sessions.SessionPolicy = field(default_factory=web_sessions.SessionPolicy)
    clock: Callable[[], datetime] = utcnow
    """Session timeouts are measured on this clock (tests move it instead of sleeping)."""

    def __repr__(self) -> str:
        return "Dashboard(...)"


@dataclass(frozen=True, slots=True)
class Page:
    """The per-request context every page needs: who is logged in, and which merchant is shown."""

    session: auth.WebSession
    merchants: list[tuple[str, str]]
    merchant_id: str | None

    @property
    def actor(self) -> Actor:
        """This user as the `who` of an activity entry."""
        return Actor.user(self.session.user.username)

    @property
    def can_change(self) -> bool:
        """False for viewers: templates show no form that changes anything."""
        return not self.session.user.read_only

    @property
    def merchant_name(self) -> str:
        return next((name for mid, name in self.merchants if mid == self.merchant_id), self.merchant_id or "")


def dashboard(request: Request) -> Dashboard:
    return request.app.state.dashboard  # type: ignore[no-any-return]


async def db(dash: Dashboard = Depends(dashboard)) -> AsyncIterator[AsyncSession]:
    """One unit of work per request: commits when the route returns."""
    async with unit_of_work(dash.sessions) as session:
        yield session


async def live_session(request: Request, dash: Dashboard) -> auth.WebSession | None:
    """The request's stored session when it is still good (its own short unit of work), else None.

    Looked up once per request (the viewer guard and the route share it); the role is read from the
    user's row each time, so a changed role or a deactivation counts at once.
    """
    if hasattr(request.state, "web_session"):
        return request.state.web_session  # type: ignore[no-any-return]
    token = request.cookies.get(auth.SESSION_COOKIE)
    ws = None
    if token:
        async with unit_of_work(dash.sessions) as session:
            found = await web_sessions.resolve(session, token, dash.policy, dash.clock())
        if found is not None:
            user = auth.WebUser(found.username, found.merchant_id, found.user_id, found.role)
            ws = auth.WebSession(user, dash.codec.csrf_for(token), found.session_id)
    request.state.web_session = ws
    return ws


async def web_session(request: Request, dash: Dashboard = Depends(dashboard)) -> auth.WebSession:
    ws = await live_session(request, dash)
    if ws is None:
        raise auth.LoginRequired()
    return ws


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# A viewer may still sign in and out: the only changes that are theirs alone.
VIEWER_MAY_POST = frozenset({f"{PREFIX}/login", f"{PREFIX}/logout"})


async def refuse_viewer_changes(request: Request, dash: Dashboard = Depends(dashboard)) -> None:
    """Router-wide dependency: a viewer's state-changing request is a 403, whichever route it targets."""
    if request.method in SAFE_METHODS or request.url.path in VIEWER_MAY_POST:
        return
    ws = await live_session(request, dash)
    if ws is not None and ws.user.read_only:
        raise auth.ReadOnlyRole()


async def csrf_checked(request: Request, ws: auth.WebSession = Depends(web_session)) -> auth.WebSession:
    await auth.check_csrf(request, ws)
    return ws


async def _page(request: Request, ws: auth.WebSession, session: AsyncSession) -> Page:
    merchants = await queries.list_merchants(session)
    if ws.user.merchant_id is not None:
        merchants = [m for m in merchants if m[0] == ws.user.merchant_id]
    allowed = {m[0] for m in merchants}
    wanted = request.query_params.get("merchant") or request.cookies.get(MERCHANT_COOKIE)
    chosen = wanted if wanted in allowed else (merchants[0][0] if merchants else None)
    return Page(ws, merchants, chosen)


async def page(
    request: Request, ws: auth.WebSession = Depends(web_session), session: AsyncSession = Depends(db)
) -> Page:
    return await _page(request, ws, session)


async def post_page(
    request: Request, ws: auth.WebSession = Depends(csrf_checked), session: AsyncSession = Depends(db)
) -> Page:
    return await _page(request, ws, session)


def render(request: Request, name: str, pg: Page | None, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a template with the common context; remembers the merchant chosen with `?merchant=`."""
    dash = dashboard(request)
    ctx = {"page": pg, "csrf": pg.session.csrf if pg else "", "prefix": PREFIX, **context}
    response = dash.templates.TemplateResponse(request, name, ctx, status_code=status_code)
    chosen = request.query_params.get("merchant")
    if pg is not None and chosen and chosen == pg.merchant_id:
        response.set_cookie(MERCHANT_COOKIE, chosen, httponly=True, samesite="lax", path="/")
    return response


def _login_required(request: Request, _exc: Exception) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    login = f"{PREFIX}/login?next={quote(target, safe='')}"
    if request.headers.get("HX-Request"):
        return Response(status_code=204, headers={"HX-Redirect": login})
    return RedirectResponse(login, status_code=303)


def _csrf_failed(_request: Request, _exc: Exception) -> Response:
    return PlainTextResponse("The form expired or did not come from this dashboard; reload the page.", 403)


def _read_only(_request: Request, _exc: Exception) -> Response:
    return PlainTextResponse("Your role is viewer: it can look but not change anything.", 403)


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    formatting.install(templates.env)
    return templates


def mount_dashboard(
    app: FastAPI,
    *,
    authenticator: auth.Authenticator | None = None,
    http_factory: Callable[[], httpx.AsyncClient] | None = None,
) -> Dashboard:
    """Serve the dashboard under /dashboard on an app built by `api.app.create_app` (uses its app.state.runtime).

    Idempotent: the app factory mounts it; a second call returns the dashboard already mounted.
    """
    from parcelsync.web import routes

    existing = getattr(app.state, "dashboard", None)
    if isinstance(existing, Dashboard):
        return existing
    runtime = app.state.runtime
    settings: Settings = runtime.settings
    secret = (settings.secret_key or "").split(",")[0].strip() or secrets.token_urlsafe(32)
    password = auth.admin_password(settings.admin_password, settings.demo_mode)
    dash = Dashboard(
        settings=settings,
        sessions=runtime.sessions,
        cipher=runtime.cipher,
        codec=auth.SessionCodec(secret),
        authenticator=authenticator or auth.users_authenticator(runtime.sessions, password),
        templates=make_templates(),
        http_factory=http_factory or (lambda: httpx.AsyncClient(timeout=10.0, follow_redirects=False)),
        policy=web_sessions.SessionPolicy(settings.session_idle_timeout_s, settings.session_absolute_timeout_s),
    )
    app.state.dashboard = dash
    app.include_router(routes.router)
    app.mount(f"{PREFIX}/static", StaticFiles(directory=str(HERE / "static")), name="dashboard-static")
    app.add_exception_handler(auth.LoginRequired, _login_required)
    app.add_exception_handler(auth.CsrfFailed, _csrf_failed)
    app.add_exception_handler(auth.ReadOnlyRole, _read_only)
    return dash
