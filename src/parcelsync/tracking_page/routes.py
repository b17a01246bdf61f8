"""The public tracking page (no login): lookup form, order page, and the JSON endpoint for headless stores.

    GET  /track/{merchant_id}                    lookup form
    POST /track/{merchant_id}                    order number + e-mail -> 303 to the order page, or "not found"
    GET  /track/{merchant_id}/{token}            the order page
    POST /track/{merchant_id}/api/lookup         JSON: the same lookup, answered with the order
    GET  /track/{merchant_id}/api/orders/{token} JSON: the order behind a token

Every miss (unknown merchant, order or e-mail, bad token) answers the same body and status, and a lookup
miss is held to the same minimum duration. Each response carries its own CSP (the merchant's
frame-ancestors), noindex and no-referrer, set here so they win over app-wide defaults.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, unquote

from fastapi import APIRouter, Depends, FastAPI, Form, Request
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from parcelsync.api.auth import MAX_MERCHANT_ID_CHARS
from parcelsync.api.deps import get_session
from parcelsync.api.errors import error_body
from parcelsync.connectors.carriers import default_registry
from parcelsync.db.queries.carrier_overrides import registry_for
from parcelsync.db.queries.tracking_pages import get_page, merchant_and_page
from parcelsync.db.tables import MerchantRow, TrackingPageRow
from parcelsync.security.order_tokens import OrderTokens
from parcelsync.settings import Settings
from parcelsync.tracking_page import limits
from parcelsync.tracking_page.headers import (
    PRIVATE_HEADERS,
    content_security_policy,
    cors_headers,
    json_security_policy,
)
from parcelsync.tracking_page.i18n import LANGUAGES, Localizer, buyer_zone, negotiate, warm_up
from parcelsync.tracking_page.orders import OrderView, find_order, load_order
from parcelsync.tracking_page.present import Branding, branding, order_json, parcel_context

HERE = Path(__file__).parent
PREFIX = "/track"
ASSETS = "/track-assets"
LANG_COOKIE = "ps_lang"
TZ_COOKIE = "ps_tz"
NOT_FOUND = "not_found"

router = APIRouter(prefix=PREFIX, tags=["tracking page"])


@dataclass
class TrackingPage:
    settings: Settings
    tokens: OrderTokens
    templates: Environment

    def __repr__(self) -> str:
        return "TrackingPage(...)"

    def page_url(self, merchant_id: str, token: str, request: Request | None = None) -> str:
        base = (self.settings.public_base_url or (str(request.base_url) if request else "")).rstrip("/")
        return f"{base}{PREFIX}/{quote(merchant_id, safe='')}/{token}"


def public(request: Request) -> TrackingPage:
    return request.app.state.tracking_page  # type: ignore[no-any-return]


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
PublicDep = Annotated[TrackingPage, Depends(public)]


@dataclass(frozen=True, slots=True)
class Shop:
    merchant: MerchantRow
    page: TrackingPageRow | None
    brand: Branding


async def _shop(session: AsyncSession, merchant_id: str) -> Shop | None:
    found = await merchant_and_page(session, merchant_id) if len(merchant_id) <= MAX_MERCHANT_ID_CHARS else None
    if found is None:
        return None
    merchant, page = found
    return Shop(merchant, page, branding(merchant, page))


def _localizer(request: Request, country: str | None = None) -> Localizer:
    lang = negotiate(
        request.query_params.get("lang") or request.cookies.get(LANG_COOKIE), request.headers.get("accept-language")
    )
    zone = buyer_zone(request.query_params.get("tz") or unquote(request.cookies.get(TZ_COOKIE, "")), country)
    return Localizer(lang, zone)


def _html(
    request: Request, name: str, shop: Shop | None, loc: Localizer, status: int = 200, **ctx: Any
) -> HTMLResponse:
    nonce = secrets.token_urlsafe(16)
    template = public(request).templates.get_template(name)
    body = template.render(
        _=loc.gettext,
        lang=loc.lang,
        languages=LANGUAGES,
        brand=shop.brand if shop else None,
        merchant_id=shop.merchant.id if shop else None,
        nonce=nonce,
        assets=ASSETS,
        path=request.url.path,
        zone_label=loc.zone_label(),
        zone=loc.zone.key,
        **ctx,
    )
    response = HTMLResponse(body, status_code=status)
    response.headers.update(PRIVATE_HEADERS)
    ancestors = list(shop.page.frame_ancestors) if shop and shop.page else []
    response.headers["Content-Security-Policy"] = content_security_policy(ancestors, nonce)
    if not ancestors:  # browsers without frame-ancestors: no framing either
        response.headers["X-Frame-Options"] = "DENY"
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(LANG_COOKIE, loc.lang, httponly=True, samesite="lax", path=PREFIX)
    return response


def _json(request: Request, shop: Shop | None, body: dict[str, Any], status: int = 200) -> JSONResponse:
    response = JSONResponse(body, status_code=status)
    response.headers.update(PRIVATE_HEADERS)
    response.headers["Content-Security-Policy"] = json_security_policy()
    allowed = list(shop.page.cors_origins) if shop and shop.page else []
    response.headers.update(cors_headers(request.headers.get("origin"), allowed))
    return response


def _not_found_json(request: Request, shop: Shop | None) -> JSONResponse:
    body = error_body(NOT_FOUND, "no order matches this order number and e-mail address", [])
    return _json(request, shop, body, 404)


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def _hold(started: float, floor_ms: float) -> None:
    """Hold a miss until the floor so every miss takes the same time, whatever the database did."""
    left = floor_ms / 1000 - (time.monotonic() - started)
    if left > 0:
        await asyncio.sleep(left)


async def _order_for_token(session: AsyncSession, tp: TrackingPage, shop: Shop | None, token: str) -> OrderView | None:
    if shop is None:
        return None
    order_id = tp.tokens.read(shop.merchant.id, token)
    if order_id is None:
        return None
    registry = await registry_for(session, shop.merchant.id, default_registry())
    return await load_order(session, shop.merchant.id, order_id, registry)


def _order_page(request: Request, shop: Shop, order: OrderView) -> HTMLResponse:
    loc = _localizer(request, order.destination_country)
    parcels = [parcel_context(p, loc) for p in order.parcels]
    return _html(request, "track_order.html", shop, loc, order=order, parcels=parcels)


@router.get("/{merchant_id}", response_class=HTMLResponse, include_in_schema=False)
async def lookup_form(merchant_id: str, request: Request, session: SessionDep) -> HTMLResponse:
    shop = await _shop(session, merchant_id)
    loc = _localizer(request)
    if shop is None:
        return _html(request, "track_missing.html", None, loc, status=404)
    return _html(request, "track_lookup.html", shop, loc, order_number="", email="", error=None)


@router.post("/{merchant_id}", response_class=HTMLResponse, include_in_schema=False)
async def lookup_submit(
    merchant_id: str,
    request: Request,
    session: SessionDep,
    tp: PublicDep,
    order_number: Annotated[str, Form(max_length=1000)] = "",
    email: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    started = time.monotonic()
    shop = await _shop(session, merchant_id)
    loc = _localizer(request)
    if shop is None:
        return _html(request, "track_missing.html", None, loc, status=404)
    blocked = await limits.check_lookup(session, tp.settings, merchant_id=merchant_id, address=_client(request))
    if blocked is not None:
        response = _html(
            request, "track_lookup.html", shop, loc, status=429, order_number=order_number, email=email, error="limited"
        )
        response.headers["Retry-After"] = str(blocked)
        return response
    order_id = await find_order(session, merchant_id, order_number, email)
    if order_id is None:
        await _hold(started, tp.settings.tracking_miss_floor_ms)
        return _html(
            request, "track_lookup.html", shop, loc, status=404, order_number=order_number, email=email, error=NOT_FOUND
        )
    token = tp.tokens.issue(merchant_id, order_id)
    suffix = f"?lang={loc.lang}" if request.query_params.get("lang") else ""
    return RedirectResponse(
        f"{PREFIX}/{quote(merchant_id, safe='')}/{token}{suffix}", status_code=303, headers=PRIVATE_HEADERS
    )


class LookupBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    order_number: str = Field(min_length=1, max_length=1000)
    email: str = Field(min_length=1, max_length=1000)


@router.options("/{merchant_id}/api/{rest:path}", include_in_schema=False)
async def preflight(merchant_id: str, request: Request, session: SessionDep) -> Response:
    page = await get_page(session, merchant_id) if len(merchant_id) <= MAX_MERCHANT_ID_CHARS else None
    allowed = list(page.cors_origins) if page else []
    return Response(status_code=204, headers=cors_headers(request.headers.get("origin"), allowed, preflight=True))


@router.post("/{merchant_id}/api/lookup", responses={404: {"description": "no order matches"}, 429: {}})
async def lookup_json(
    merchant_id: str, body: LookupBody, request: Request, session: SessionDep, tp: PublicDep
) -> JSONResponse:
    """Headless stores: the order for an order number and the buyer's e-mail (the same rules as the page)."""
    started = time.monotonic()
    shop = await _shop(session, merchant_id)
    if shop is not None:
        blocked = await limits.check_lookup(session, tp.settings, merchant_id=merchant_id, address=_client(request))
        if blocked is not None:
            response = _json(request, shop, error_body("rate_limited", "too many lookups, retry later", []), 429)
            response.headers["Retry-After"] = str(blocked)
            return response
    order_id = await find_order(session, merchant_id, body.order_number, body.email) if shop else None
    order = None
    if order_id:
        registry = await registry_for(session, merchant_id, default_registry())
        order = await load_order(session, merchant_id, order_id, registry)
    if shop is None or order is None:
        await _hold(started, tp.settings.tracking_miss_floor_ms)
        return _not_found_json(request, shop)
    token = tp.tokens.issue(merchant_id, order.order_number)
    loc = _localizer(request, order.destination_country)
    return _json(
        request,
        shop,
        order_json(order, shop.brand, loc, token=token, page_url=tp.page_url(merchant_id, token, request)),
    )


@router.get("/{merchant_id}/api/orders/{token}", responses={404: {"description": "no such order"}})
async def order_by_token_json(
    merchant_id: str, token: str, request: Request, session: SessionDep, tp: PublicDep
) -> JSONResponse:
    """Headless stores: the order behind a tracking page token."""
    shop = await _shop(session, merchant_id)
    order = await _order_for_token(session, tp, shop, token)
    if shop is None or order is None:
        return _not_found_json(request, shop)
    loc = _localizer(request, order.destination_country)
    return _json(
        request,
        shop,
        order_json(order, shop.brand, loc, token=token, page_url=tp.page_url(merchant_id, token, request)),
    )


@router.get("/{merchant_id}/{token}", response_class=HTMLResponse, include_in_schema=False)
async def order_page(
    merchant_id: str, token: str, request: Request, session: SessionDep, tp: PublicDep
) -> HTMLResponse:
    shop = await _shop(session, merchant_id)
    order = await _order_for_token(session, tp, shop, token)
    if shop is None or order is None:
        return _html(request, "track_missing.html", shop, _localizer(request), status=404)
    return _order_page(request, shop, order)


def make_templates() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(HERE / "templates")),
        autoescape=select_autoescape(["html"]),
        auto_reload=False,
    )


def mount_tracking_page(app: FastAPI) -> TrackingPage:
    """Serve the public tracking page on an app built by `api.app.create_app` (uses app.state.runtime)."""
    settings: Settings = app.state.runtime.settings
    keys = settings.secret_key or secrets.token_urlsafe(32)  # demo without a key: links last until a restart
    tp = TrackingPage(settings=settings, tokens=OrderTokens.from_secret(keys), templates=make_templates())
    app.state.tracking_page = tp
    warm_up()
    for name in tp.templates.list_templates():
        tp.templates.get_template(name)
    app.include_router(router)
    app.mount(ASSETS, StaticFiles(directory=str(HERE / "static")), name="tracking-page-assets")
    return tp
