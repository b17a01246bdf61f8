"""`parcelsync serve`: the REST API and dashboard (optionally with a worker in the same process)."""

from __future__ import annotations

from typing import Annotated

import typer

from parcelsync.cli.support import fail, load_settings
from parcelsync.db.crypto import SecretKeyError
from parcelsync.logging import configure_logging


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    worker: Annotated[bool, typer.Option("--worker", help="Also run a sync worker in this process.")] = False,
) -> None:
    """Serve the REST API (migrates the database first when PARCELSYNC_AUTO_MIGRATE is on)."""
    import uvicorn

    from parcelsync.api import create_app
    from parcelsync.security.client_address import TrustedProxiesError
    from parcelsync.sync.embedded import attach_worker

    settings = load_settings()
    configure_logging(level=settings.log_level, fmt=settings.log_format)
    try:
        api = create_app(settings)
    except (SecretKeyError, TrustedProxiesError) as exc:
        fail(str(exc))
    if worker:
        attach_worker(api)
    # keep parcelsync's redacting log setup; forwarded headers count only from PARCELSYNC_TRUSTED_PROXIES
    uvicorn.run(api, host=host, port=port, log_config=None, proxy_headers=False)
