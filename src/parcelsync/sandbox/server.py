"""All sandboxes in one ASGI app: `/useepay`, `/shopline/{handle}`, `/trackingmore/v2`, `/paypal`,
`/aftership/tracking/2026-07`; or one at the root.

Base URLs for a hub connection, with the server at http://127.0.0.1:8100:
UseePay `http://127.0.0.1:8100/useepay`, SHOPLINE `http://127.0.0.1:8100/shopline/{handle}`,
TrackingMore `http://127.0.0.1:8100/trackingmore/v2`. Each sandbox keeps its own admin API
under its prefix (`/useepay/_sandbox/...`, `/shopline/_sandbox/...`, `/trackingmore/_sandbox/...`).

With `provider=...` the app is that one sandbox at the root of its port, so the server's root URL
stands exactly where the provider's host does: UseePay `http://127.0.0.1:8101` for
`https://openapi1.uat.useepay.com`, SHOPLINE `http://127.0.0.1:8102/{handle}` (or any
`{handle}.<domain>` Host) for `https://{handle}.myshopline.com`, TrackingMore `http://127.0.0.1:8103/v2`
for `https://api.trackingmore.com/v2`, PayPal `http://127.0.0.1:8104` for `https://api-m.paypal.com`,
AfterShip `http://127.0.0.1:8105/tracking/2026-07` for `https://api.aftership.com/tracking/2026-07`;
admin under `/_sandbox/...` (AfterShip: `/tracking/2026-07/_sandbox/...`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from parcelsync.sandbox.aftership.app import API_VERSION as AFTERSHIP_VERSION
from parcelsync.sandbox.aftership.app import create_app as create_aftership
from parcelsync.sandbox.aftership.errors import envelope as aftership_envelope
from parcelsync.sandbox.aftership.models import AfterShipState
from parcelsync.sandbox.paypal.app import create_app as create_paypal
from parcelsync.sandbox.paypal.models import PayPalState
from parcelsync.sandbox.shopline.app import create_app as create_shopline
from parcelsync.sandbox.shopline.models import ShoplineState
from parcelsync.sandbox.trackingmore.app import create_app as create_trackingmore
from parcelsync.sandbox.trackingmore.models import TrackingMoreState
from parcelsync.sandbox.useepay.app import create_app as create_useepay
from parcelsync.sandbox.useepay.models import UseePayState

USEEPAY_PREFIX = "/useepay"
SHOPLINE_PREFIX = "/shopline"
TRACKINGMORE_PREFIX = "/trackingmore"
PAYPAL_PREFIX = "/paypal"
AFTERSHIP_PREFIX = "/aftership"
AFTERSHIP_PATH = f"/tracking/{AFTERSHIP_VERSION}"


class SandboxProvider(StrEnum):
    """A sandbox that can be served alone, at the root of its port."""

    USEEPAY = "useepay"
    SHOPLINE = "shopline"
    TRACKINGMORE = "trackingmore"
    PAYPAL = "paypal"
    AFTERSHIP = "aftership"

    @property
    def default_port(self) -> int:
        return {"useepay": 8101, "shopline": 8102, "trackingmore": 8103, "paypal": 8104, "aftership": 8105}[
            self.value]

    def admin_url(self, root: str) -> str:
        """Where a standalone server's admin API lives (AfterShip's sits under its versioned root)."""
        root = root.rstrip("/")
        return (root + AFTERSHIP_PATH if self is SandboxProvider.AFTERSHIP else root) + "/_sandbox"

    def base_url(self, root: str) -> str:
        """The provider base URL of a standalone server at `root` (SHOPLINE: with `{handle}` to fill)."""
        root = root.rstrip("/")
        return {"useepay": root, "shopline": root + "/{handle}", "trackingmore": root + "/v2", "paypal": root,
                "aftership": root + AFTERSHIP_PATH}[self.value]


@dataclass
class Sandboxes:
    """The three emulators' state, shared by the app and whoever seeds or inspects them in-process."""

    useepay: UseePayState = field(default_factory=lambda: UseePayState(demo=True))
    shopline: ShoplineState = field(default_factory=lambda: ShoplineState(demo=True))
    trackingmore: TrackingMoreState = field(default_factory=TrackingMoreState)
    paypal: PayPalState = field(default_factory=lambda: PayPalState(demo=True))
    aftership: AfterShipState = field(default_factory=AfterShipState)

    def reset(self) -> None:
        self.useepay.reset()
        self.shopline.reset()
        self.trackingmore.reset()
        self.paypal.reset()
        self.aftership.reset()


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

    @property
    def paypal(self) -> str:
        return self.root.rstrip("/") + PAYPAL_PREFIX

    @property
    def aftership(self) -> str:
        return self.root.rstrip("/") + AFTERSHIP_PREFIX + AFTERSHIP_PATH


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
                "paypal": urls.paypal,
                "aftership": urls.aftership,
                "admin": {
                    "useepay": urls.useepay + "/_sandbox",
                    "shopline": urls.shopline_admin + "/_sandbox",
                    "trackingmore": urls.trackingmore_admin + "/_sandbox",
                    "paypal": urls.paypal + "/_sandbox",
                    "aftership": urls.aftership + "/_sandbox",
                },
            }
        )

    app = Starlette(
        routes=[
            Route("/", index),
            Mount(USEEPAY_PREFIX, app=create_useepay(sandboxes.useepay)),
            Mount(SHOPLINE_PREFIX, app=create_shopline(sandboxes.shopline)),
            Mount(TRACKINGMORE_PREFIX, app=create_trackingmore(sandboxes.trackingmore, webhook_client=webhook_client)),
            Mount(PAYPAL_PREFIX, app=create_paypal(sandboxes.paypal)),
            Mount(AFTERSHIP_PREFIX + AFTERSHIP_PATH,
                  app=create_aftership(sandboxes.aftership, webhook_client=webhook_client)),
        ]
    )
    app.state.sandboxes = sandboxes
    return app


def _single(provider: SandboxProvider, sandboxes: Sandboxes, webhook_client: httpx.AsyncClient | None) -> Starlette:
    app: Starlette
    if provider is SandboxProvider.USEEPAY:
        app = create_useepay(sandboxes.useepay)
    elif provider is SandboxProvider.SHOPLINE:
        app = create_shopline(sandboxes.shopline)
    elif provider is SandboxProvider.PAYPAL:
        app = create_paypal(sandboxes.paypal)
    elif provider is SandboxProvider.AFTERSHIP:
        app = _at(AFTERSHIP_PATH, create_aftership(sandboxes.aftership, webhook_client=webhook_client))
    else:
        app = create_trackingmore(sandboxes.trackingmore, webhook_client=webhook_client)
    app.state.sandboxes = sandboxes
    return app


def _at(path: str, inner: Starlette) -> Starlette:
    """`inner` mounted at `path` of a bare app (AfterShip's base URL carries `/tracking/{version}`)."""

    async def not_found(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse(aftership_envelope(404), status_code=404)

    return Starlette(routes=[Mount(path, app=inner)], exception_handlers={404: not_found})
