"""Dashboard login, session cookie and CSRF, kept in one module so the authenticator can be swapped.

The session cookie (HttpOnly, SameSite=Lax, Secure over HTTPS) carries a random token whose session
is stored in the database (security/web_sessions.py), so it can be ended. The per-session CSRF token
is an HMAC of that token under the app's secret. Every POST must carry it, either as the
`X-CSRF-Token` header (htmx, set once with hx-headers on <body>) or as a `csrf_token` form field.
The login form itself is protected by a short-lived signed token in its own cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Protocol

from fastapi import Request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.responses import Response

from parcelsync.db.engine import unit_of_work
from parcelsync.security import passwords
from parcelsync.security.roles import Role, default_role

SESSION_COOKIE = "ps_session"
LOGIN_COOKIE = "ps_login"
LOGIN_MAX_AGE_S = 3600
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
ADMIN_USERNAME = "admin"
DEMO_ADMIN_PASSWORD = "parcelsync-demo"


@dataclass(frozen=True, slots=True)
class WebUser:
    """A logged-in dashboard user; merchant_id None means an admin who sees every merchant."""

    username: str
    merchant_id: str | None = None
    user_id: int | None = None
    role: Role = None  # type: ignore[assignment]  # filled in by __post_init__

    def __post_init__(self) -> None:
        if self.role is None:
            object.__setattr__(self, "role", default_role(self.merchant_id))

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def read_only(self) -> bool:
        return self.role is Role.VIEWER


@dataclass(frozen=True, slots=True)
class WebSession:
    """A live dashboard session: its user, its CSRF token and its stored id (the token's SHA-256)."""

    user: WebUser
    csrf: str
    id: str = ""


class Authenticator(Protocol):
    async def authenticate(self, username: str, password: str) -> WebUser | None: ...


class AdminPasswordAuthenticator:
    """The single admin password from settings (PARCELSYNC_ADMIN_PASSWORD); None disables login."""

    def __init__(self, password: str | None) -> None:
        self._password = password

    def __repr__(self) -> str:
        return "AdminPasswordAuthenticator(***)"

    @property
    def configured(self) -> bool:
        return bool(self._password)

    async def authenticate(self, username: str, password: str) -> WebUser | None:
        if not self._password:
            return None
        user_ok = hmac.compare_digest(username.strip().encode(), ADMIN_USERNAME.encode())
        pass_ok = hmac.compare_digest(password.encode(), self._password.encode())
        return WebUser(ADMIN_USERNAME) if user_ok and pass_ok else None


class UsersAuthenticator:
    """Users from the `users` table (argon2 hashes); the admin password works only while no user exists."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], fallback: AdminPasswordAuthenticator) -> None:
        self._sessions = sessions
        self._fallback = fallback

    def __repr__(self) -> str:
        return "UsersAuthenticator(***)"

    @property
    def configured(self) -> bool:
        return True

    async def authenticate(self, username: str, password: str) -> WebUser | None:
        async with unit_of_work(self._sessions) as session:
            if await passwords.has_users(session):
                user = await passwords.authenticate(session, username, password)
                return WebUser(user.username, user.merchant_id, user.id, user.role) if user is not None else None
        return await self._fallback.authenticate(username, password)


def users_authenticator(sessions: async_sessionmaker[AsyncSession], admin_pw: str | None) -> UsersAuthenticator:
    return UsersAuthenticator(sessions, AdminPasswordAuthenticator(admin_pw))


def admin_password(configured: str | None, demo_mode: bool) -> str | None:
    """The configured admin password, or the demo default in demo mode."""
    return configured or (DEMO_ADMIN_PASSWORD if demo_mode else None)


class LoginRequired(Exception):
    """The request has no valid dashboard session."""


class CsrfFailed(Exception):
    """A POST without the session's CSRF token."""


class ReadOnlyRole(Exception):
    """A viewer asked to change something."""


class SessionCodec:
    """Derives CSRF tokens from session tokens and signs the login cookie, with the app's secret key."""

    def __init__(self, secret_key: str) -> None:
        self._csrf_key = hashlib.sha256(f"parcelsync.web.csrf:{secret_key}".encode()).digest()
        self._login = URLSafeTimedSerializer(secret_key, salt="parcelsync.web.login")

    def __repr__(self) -> str:
        return "SessionCodec(***)"

    def csrf_for(self, session_token: str) -> str:
        """The CSRF token of a session: stable for its life, useless without the secret."""
        return hmac.new(self._csrf_key, session_token.encode(), hashlib.sha256).hexdigest()

    def login_token(self) -> tuple[str, str]:
        """(form token, cookie value) for the login form."""
        token = secrets.token_urlsafe(24)
        return token, self._login.dumps(token)

    def check_login_token(self, form_token: str, cookie: str | None) -> bool:
        if not cookie or not form_token:
            return False
        try:
            expected = self._login.loads(cookie, max_age=LOGIN_MAX_AGE_S)
        except BadSignature:
            return False
        return hmac.compare_digest(str(expected).encode(), form_token.encode())


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_session_cookie(response: Response, request: Request, token: str, max_age_s: int) -> None:
    """Set the session cookie (the stored session's token) and drop the login cookie."""
    response.set_cookie(
        SESSION_COOKIE, token, max_age=max_age_s, httponly=True, samesite="lax", secure=_secure(request), path="/"
    )
    response.delete_cookie(LOGIN_COOKIE, path="/")


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


def set_login_cookie(response: Response, request: Request, value: str) -> None:
    response.set_cookie(
        LOGIN_COOKIE, value, max_age=LOGIN_MAX_AGE_S, httponly=True, samesite="lax", secure=_secure(request), path="/"
    )


async def check_csrf(request: Request, session: WebSession) -> None:
    """Accept the token from the X-CSRF-Token header or the csrf_token form field."""
    token = request.headers.get(CSRF_HEADER)
    if token is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        token = str((await request.form()).get(CSRF_FIELD) or "")
    if not token or not hmac.compare_digest(token.encode(), session.csrf.encode()):
        raise CsrfFailed()
