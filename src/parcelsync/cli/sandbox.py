"""`parcelsync sandbox`: the provider emulators on one port, or one of them at the root of its port."""

from __future__ import annotations

from typing import Annotated

import typer

from parcelsync.cli.support import console
from parcelsync.sandbox.server import SandboxProvider


def sandbox(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[
        int | None,
        typer.Option(help="Port to listen on (default 8100; with --provider: 8101 useepay, 8102 shopline, "
                     "8103 trackingmore, 8104 paypal, 8105 aftership)."),
    ] = None,
    provider: Annotated[
        SandboxProvider | None,
        typer.Option(
            case_sensitive=False,
            help="Serve only this sandbox, at the root of the port (its base URL stands where the "
            "provider's host does).",
        ),
    ] = None,
) -> None:
    """Serve the provider sandboxes under /useepay, /shopline, /trackingmore, /paypal and /aftership."""
    import uvicorn

    from parcelsync.sandbox.server import SandboxUrls, create_app
    from parcelsync.sandbox.sockets import with_socket_control

    if port is None:
        port = provider.default_port if provider is not None else 8100
    root = f"http://{host}:{port}"
    if provider is not None:
        console.print(f"{provider.value:<13} {provider.base_url(root).replace('{handle}', '<handle>')}")
        console.print(f"admin         {provider.admin_url(root)}")
    else:
        urls = SandboxUrls(root)
        console.print(f"UseePay       {urls.useepay}")
        console.print(f"SHOPLINE      {urls.shopline('<handle>')}")
        console.print(f"TrackingMore  {urls.trackingmore}")
        console.print(f"PayPal        {urls.paypal}")
        console.print(f"AfterShip     {urls.aftership}")
    served = with_socket_control(create_app(provider=provider))
    uvicorn.run(served, host=host, port=port, log_level="warning", proxy_headers=False)
