"""All three sandboxes in one ASGI app: `/useepay`, `/shopline/{handle}`, `/trackingmore/v2`; or one at the root.

Base URLs for a hub connection, with the server at http://127.0.0.1:8100:
UseePay `http://127.0.0.1:8100/useepay`, SHOPLINE `http://127.0.0.1:8100/shopline/{handle}`,
TrackingMore `http://127.0.0.1:8100/trackingmore/v2`. Each sandbox keeps its own admin API
under its prefix (`/useepay/_sandbox/...`, `/shopline/_sandbox/...`, `/trackingmore/_sandbox/...`).

With `provider=...` the app is that one sandbox at the root of its port, so the server's root URL
stands exactly where the provider's host does: UseePay `http://127.0.0.1:8101` for
`https://openapi1.uat.useepay.com`, SHOPLINE `http://127.0.0.1:8102/{handle}` (or any
`{handle}.<domain>` Host) for `https://{handle}.myshopline.com`, TrackingMore `http://127.0.0.1:8103/v2`
for `https://api.trackingmore.com/v2`; admin under `/_sandbox/...`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from parcelsync.sandbox.shopline.app import create_app as create_shopline
from parcelsync.sandbox.shopline.models import ShoplineState
from parcelsync.sandbox.trackingmore.app import create_app as create_trackingmore
from parcelsync.sandbox.trackingmore.models import TrackingMoreState
from parcelsync.sandbox.useepay.app import create_app as create_useepay
from parcelsync.sandbox.useepay.models import UseePayState

USEEPAY_PREFIX = "/useepay"
SHOPLINE_PREFIX = "/shopline"
TRACKINGMORE_PREFIX = "/trackingmore"


class SandboxProvider(StrEnum):
    """A sandbox that can be served alone, at the root of its port."""

    USEEPAY = "useepay"
    SHOPLINE = "shopline"
    TRACKINGMORE = "trackingmore"

    @property
    def default_port(self) -> int:
        return {"useepay": 8101, "shopline": 8102, "trackingmore": 8103}[self.value]

    def base_url(self, root: str) -> str:
        """The provider base URL of a standalone server at `root` (SHOPLINE: with `{handle}` to fill)."""
        root = root.rstrip("/")
        return {"useepay": root, "shopline": root + "/{handle}", "trackingmore": root + "/v2"}[self.value]


@dataclass
class Sandboxes:
    """The three emulators' state, shared by the app and whoever seeds or inspects them in-process."""

    useepay: UseePayState = field(default_factory=lambda: UseePayState(demo=True))
    shopline: ShoplineState = field(default_factory=lambda: ShoplineState(demo=True))
    trackingmore: TrackingMoreState = field(default_factory=TrackingMoreState)

    def reset(self) -> None:
        self.useepay.reset()
        self.shopline.reset()
        self.trackingmore.reset()


@dataclass(frozen=True, slots=True)
class SandboxUrls:
    """Where each provider lives under a sandbox server's root URL."""

    root: str

    @property
    def useepay(self) -> str:
        return self.root.rstrip("/") + USEEPAY_PREFIX

    def shopline(self, handle: str) -> str:
        return f"{self.root.rstrip('/')}{SHOPLINE_PREFIX}/{handle}"

    @property
    def shopline_admin(self) -> str:
        return self.root.rstrip("/") + SHOPLINE_PREFIX

    @property
    def trackingmore(self) -> str:
        return self.root.rstrip("/") + TRACKINGMORE_PREFIX + "/v2"

    @property
    def trackingmore_admin(self) -> str:
        return self.root.rstrip("/") + TRACKINGMORE_PREFIX


def create_app(
    sandboxes: Sandboxes | None = None,
    *,
    webhook_client: httpx.AsyncClient | None = None,
    provider: SandboxProvider | str | None = None,
) -> Starlette:
    """One app mounting the three sandboxes, or only `provider`'s at the root; `webhook_client` carries
    TrackingMore's pushes (tests: ASGI). Either way `app.state.sandboxes` holds the state."""
    sandboxes = sandboxes if sandboxes is not None else Sandboxes()
    if provider is not None:
        return _single(SandboxProvider(provider), sandboxes, webhook_client)

    async def index(request: Request) -> JSONResponse:
        urls = SandboxUrls(str(request.base_url))
        return JSONResponse(
            {
                "useepay": urls.useepay,
                "shopline": urls.shopline("{handle}"),
                "trackingmore": urls.trackingmore,
                "admin": {
                    "useepay": urls.useepay + "/_sandbox",
                    "shopline": urls.shopline_admin + "/_sandbox",
                    "trackingmore": urls.trackingmore_admin + "/_sandbox",
                },
            }
        )

    app = Starlette(
        routes=[
            Route("/", index),
            Mount(USEEPAY_PREFIX, app=create_useepay(sandboxes.useepay)),
            Mount(SHOPLINE_PREFIX, app=create_shopline(sandboxes.shopline)),
            Mount(TRACKINGMORE_PREFIX, app=create_trackingmore(sandboxes.trackingmore, webhook_client=webhook_client)),
        ]
    )
    app.state.sandboxes = sandboxes
    return app


def _single(provider: SandboxProvider, sandboxes: Sandboxes, webhook_client: httpx.AsyncClient | None) -> Starlette:
    if provider is SandboxProvider.USEEPAY:
        app = create_useepay(sandboxes.useepay)
    elif provider is SandboxProvider.SHOPLINE:
        app = create_shopline(sandboxes.shopline)
    else:
        app = create_trackingmore(sandboxes.trackingmore, webhook_client=webhook_client)
    app.state.sandboxes = sandboxes
    return app
