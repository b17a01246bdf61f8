"""The FastAPI app factory: settings are read once here, and engine, sessions and cipher live on app.state."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from parcelsync import __version__
from parcelsync.api.deps import Runtime, current_principal
from parcelsync.api.docs import mount_docs
from parcelsync.api.errors import install_error_handlers
from parcelsync.api.idempotency import IdempotencyMiddleware
from parcelsync.api.limits import BodyLimitMiddleware
from parcelsync.api.params import undeclared_query_guard
from parcelsync.api.responses import install_openapi
from parcelsync.api.routes import alerts as alerts_routes
from parcelsync.api.routes import (
    audit,
    carriers,
    connections,
    health,
    merchants,
    metrics,
    payments,
    shipments,
    store_webhooks,
    sync,
    tracking_page,
    webhook_endpoints,
    webhooks,
)
from parcelsync.api.routes import events as events_routes
from parcelsync.db import migrate
from parcelsync.db.crypto import CredentialCipher, SecretKeyError, generate_key
from parcelsync.db.engine import make_engine, make_sessionmaker
from parcelsync.logging import register_secrets
from parcelsync.security.client_address import ClientAddressMiddleware, TrustedProxies
from parcelsync.security.headers import SecurityHeadersMiddleware
from parcelsync.security.middleware import RequestIdMiddleware
from parcelsync.settings import Settings
from parcelsync.sync.webhook_fetch import default_http
from parcelsync.tracking_page.routes import mount_tracking_page
from parcelsync.web import mount_dashboard
from parcelsync.web.app import PREFIX as DASHBOARD_PREFIX

log = logging.getLogger(__name__)


def build_cipher(settings: Settings) -> CredentialCipher:
    """The credential cipher; outside demo mode a missing PARCELSYNC_SECRET_KEY is a startup error."""
    if settings.secret_key:
        return CredentialCipher(settings.secret_key)
    if settings.demo_mode:
        log.warning("demo mode without PARCELSYNC_SECRET_KEY: credentials are encrypted with a throwaway key")
        return CredentialCipher(generate_key())
    raise SecretKeyError(
        "PARCELSYNC_SECRET_KEY is not set: create one with `parcelsync keys generate` and export it "
        "(or set PARCELSYNC_DEMO_MODE=true for a throwaway key)"
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the API. Usable without running the lifespan (tests): only migrations and disposal need it."""
    settings = settings or Settings()
    cipher = build_cipher(settings)
    engine = make_engine(settings.database_url)
    runtime = Runtime(settings=settings, engine=engine, sessions=make_sessionmaker(engine), cipher=cipher)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if settings.auto_migrate:
            await migrate.upgrade(engine)
        try:
            yield
        finally:
            await engine.dispose()

    app = FastAPI(
        title="parcelsync",
        version=__version__,
        summary="Keeps parcel tracking numbers in sync with SHOPLINE, UseePay and TrackingMore.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(current_principal), Depends(undeclared_query_guard("/v1/"))],
    )
    app.state.runtime = runtime
    app.state.provider_http_factory = default_http  # webhooks that trigger a fetch; tests put a sandbox here
    install_error_handlers(app)
    for module in (
        health, metrics, merchants, connections, carriers, shipments, audit, sync, webhooks, tracking_page, payments
    ):  # fmt: skip
        app.include_router(module.router)
    for extra in (events_routes, webhook_endpoints, alerts_routes, store_webhooks):
        app.include_router(extra.router)
    mount_dashboard(app)
    mount_tracking_page(app)
    mount_docs(app)
    install_openapi(app, metrics_public=settings.metrics_public and not settings.metrics_token)
    app.add_middleware(IdempotencyMiddleware, sessions=lambda: runtime.sessions)
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_body_bytes,
        per_path={f"{DASHBOARD_PREFIX}/import": settings.import_max_upload_bytes},
    )
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    # outermost: everything inside (HSTS, cookies, limits, logs) sees the client and scheme a trusted proxy gave
    app.add_middleware(ClientAddressMiddleware, trusted=TrustedProxies.parse(settings.trusted_proxies))
    register_secrets([*(settings.secret_key or "").split(","), settings.admin_password, settings.metrics_token])
    return app
