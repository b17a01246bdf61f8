"""The API docs (Swagger UI at /docs, ReDoc at /redoc) from pinned assets shipped in the package.

Nothing is loaded from a CDN, so the docs work on a hub without internet access, and no third-party
script runs in the operator's browser. The pages hold no inline script: `static/docs-init.js`
starts either viewer from `data-*` attributes, so the policy below allows scripts from 'self' only.
Both viewers set inline styles at run time (React style props, styled-components), hence
'unsafe-inline' for styles on these two pages and nowhere else.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.responses import HTMLResponse

STATIC_DIR = Path(__file__).parent / "static"
STATIC_PREFIX = "/api-static"
SWAGGER_UI = f"{STATIC_PREFIX}/swagger-ui-5.35.0"
REDOC = f"{STATIC_PREFIX}/redoc-2.5.4"
DOCS_CSP = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
{head}
</head>
<body>
<div id="{root}" data-viewer="{viewer}" data-openapi-url="{openapi_url}"></div>
<script src="{script}"></script>
<script src="{STATIC_PREFIX}/docs-init.js"></script>
</body>
</html>
"""


def docs_page(*, title: str, viewer: str, openapi_url: str) -> HTMLResponse:
    """One viewer's page; `viewer` is `swagger` or `redoc`."""
    if viewer == "swagger":
        head = f'<link rel="stylesheet" href="{SWAGGER_UI}/swagger-ui.css">'
        script, root = f"{SWAGGER_UI}/swagger-ui-bundle.js", "swagger-ui"
    else:
        head, script, root = "", f"{REDOC}/redoc.standalone.js", "redoc"
    html = PAGE.format(
        title=escape(title), head=head, root=root, viewer=viewer, openapi_url=escape(openapi_url),
        script=script, STATIC_PREFIX=STATIC_PREFIX,
    )  # fmt: skip
    return HTMLResponse(html, headers={"Content-Security-Policy": DOCS_CSP, "X-Frame-Options": "DENY"})


def mount_docs(app: FastAPI) -> None:
    """Serve /docs, /redoc and their assets; the app is built with FastAPI's own (CDN) docs turned off."""
    openapi_url = app.openapi_url or "/openapi.json"
    router = APIRouter(include_in_schema=False)

    @router.get("/docs")
    async def swagger() -> HTMLResponse:
        return docs_page(title=f"{app.title} API", viewer="swagger", openapi_url=openapi_url)

    @router.get("/redoc")
    async def redoc() -> HTMLResponse:
        return docs_page(title=f"{app.title} API", viewer="redoc", openapi_url=openapi_url)

    app.include_router(router)
    app.mount(STATIC_PREFIX, StaticFiles(directory=str(STATIC_DIR)), name="api-static")
