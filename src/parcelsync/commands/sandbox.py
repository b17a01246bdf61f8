"""`parcelsync sandbox`: the three provider emulators on one port, for demos and anyone's tests."""

from __future__ import annotations

from typing import Annotated

import typer

from parcelsync.cli import app, console


@app.command()
def sandbox(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8100,
) -> None:
    """Serve the UseePay, SHOPLINE and TrackingMore sandboxes under /useepay, /shopline, /trackingmore."""
    import uvicorn

    from parcelsync.sandbox.server import SandboxUrls, create_app

    urls = SandboxUrls(f"http://{host}:{port}")
    console.print(f"UseePay       {urls.useepay}")
    console.print(f"SHOPLINE      {urls.shopline('<handle>')}")
    console.print(f"TrackingMore  {urls.trackingmore}")
    uvicorn.run(create_app(), host=host, port=port, log_level="warning")
