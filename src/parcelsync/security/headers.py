"""Security headers on every answer: a strict CSP, no sniffing, no referrer leaks, HSTS on https, no-store when private.

`security_headers` decides (a pure function of the request and the headers the route already set);
`SecurityHeadersMiddleware` only applies its answer. A route that sets its own Content-Security-Policy
(the buyer tracking page, framed where the merchant allows it; the API docs) keeps it, and its
framing is then its own business: no `X-Frame-Options` is added.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

STRICT_CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: https:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
HSTS = "max-age=31536000; includeSubDomains"
CREDENTIAL_COOKIES = ("ps_session=",)
PRIVATE_PREFIXES = ("/dashboard",)
CACHEABLE_PREFIXES = ("/dashboard/static/", "/static/")
ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def carries_credentials(request_headers: Mapping[str, str]) -> bool:
    """A bearer token or a dashboard session cookie: the answer is about someone and must not be cached."""
    if "authorization" in request_headers:
        return True
    cookies = request_headers.get("cookie", "")
    return any(name in cookies for name in CREDENTIAL_COOKIES)


def security_headers(
    *, scheme: str, path: str, request_headers: Mapping[str, str], response_headers: Mapping[str, str]
) -> dict[str, str]:
    """The headers to add to one answer (never one the route already set)."""
    present = {name.lower() for name in response_headers}
    wanted = dict(ALWAYS)
    if "content-security-policy" not in present:
        wanted["Content-Security-Policy"] = STRICT_CSP
        wanted["X-Frame-Options"] = "DENY"
    if scheme == "https":
        wanted["Strict-Transport-Security"] = HSTS
    private = path.startswith(PRIVATE_PREFIXES) or carries_credentials(request_headers)
    if private and not path.startswith(CACHEABLE_PREFIXES):
        wanted["Cache-Control"] = "no-store"
    return {name: value for name, value in wanted.items() if name.lower() not in present}


class SecurityHeadersMiddleware:
    """Add `security_headers` to every HTTP answer (pure ASGI: no body buffering)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_headers = Headers(scope=scope)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                extra = security_headers(
                    scheme=scope.get("scheme", "http"),
                    path=scope.get("path", ""),
                    request_headers=request_headers,
                    response_headers=headers,
                )
                for name, value in extra.items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
