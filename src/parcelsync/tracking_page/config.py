"""A merchant's tracking page configuration: the validated input (API and dashboard) and saving it."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, EmailStr, Field
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.activity.record import Actor, record_activity
from parcelsync.connectors.registry import connector_for
from parcelsync.db.queries import tracking_pages as q
from parcelsync.db.tables import TrackingPageRow
from parcelsync.ingest.text import text_or_none
from parcelsync.settings import Settings
from parcelsync.sync.planner import connected_providers, plan_connection
from parcelsync.sync.tracking_links import LINKED_KINDS, PageLinker
from parcelsync.tracking_page.headers import ACCENT_PATTERN, normalise_origin

MAX_ORIGINS = 20


class LinksNeedBaseUrl(ValueError):
    """tracking_page_links needs the hub's public address: set PARCELSYNC_PUBLIC_BASE_URL and restart"""

    def __init__(self) -> None:
        super().__init__(f"{self.__doc__} (for example https://track.example.com)")


def _origins(values: list[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        origin = normalise_origin(value)
        if origin is None:
            raise ValueError(f"not an origin (scheme://host[:port], no path): {value[:100]}")
        if origin not in out:
            out.append(origin)
    return out


def _https(value: str | None) -> str | None:
    if value is not None and not value.startswith("https://"):
        raise ValueError("must be an https:// URL")
    return value


def _accent(value: str | None) -> str | None:
    if value is not None and not ACCENT_PATTERN.match(value):
        raise ValueError("must be a #rrggbb colour")
    return value.lower() if value else None


Origins = Annotated[list[str], Field(max_length=MAX_ORIGINS), AfterValidator(_origins)]


class TrackingPageIn(BaseModel):
    """The whole page configuration (PUT replaces it; a field left out is reset to its default)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    display_name: Annotated[str | None, BeforeValidator(text_or_none)] = Field(
        default=None, max_length=200, description="Shown instead of the merchant's name."
    )
    logo_url: Annotated[str | None, Field(max_length=2048), AfterValidator(_https)] = None
    accent_color: Annotated[str | None, AfterValidator(_accent)] = Field(default=None, description="#rrggbb")
    support_email: EmailStr | None = None
    message: Annotated[str | None, BeforeValidator(text_or_none)] = Field(
        default=None, max_length=500, description="A short note shown on every page."
    )
    cors_origins: Origins = Field(default_factory=list, description="Origins allowed to call the JSON endpoint.")
    frame_ancestors: Origins = Field(default_factory=list, description="Origins allowed to frame the page.")
    tracking_page_links: bool = Field(
        default=False, description="Send the tracking page URL as tracking_url to the store and the payment gateway."
    )


class TrackingPageOut(TrackingPageIn):
    merchant_id: str
    lookup_url: str | None = Field(description="The lookup page (None until PARCELSYNC_PUBLIC_BASE_URL is set).")


def page_out(merchant_id: str, row: TrackingPageRow | None, settings: Settings) -> TrackingPageOut:
    values: dict[str, Any] = {name: getattr(row, name) for name in q.PAGE_FIELDS} if row else {}
    base = (settings.public_base_url or "").rstrip("/")
    return TrackingPageOut.model_validate(
        {**values, "merchant_id": merchant_id, "lookup_url": f"{base}/track/{merchant_id}" if base else None}
    )


async def replan_linked(session: AsyncSession, merchant_id: str) -> None:
    """Resend every store and payment gateway target, so the new tracking_url reaches them."""
    for provider in await connected_providers(session, merchant_id):
        if connector_for(provider).kind in LINKED_KINDS:
            await plan_connection(session, merchant_id, provider)


async def save_config(
    session: AsyncSession, settings: Settings, merchant_id: str, body: TrackingPageIn, *, actor: Actor | None = None
) -> TrackingPageRow:
    """Store the configuration (logged as `actor`'s); switching `tracking_page_links` resends the store and
    gateway targets.

    Raises LinksNeedBaseUrl when the links are asked for but the hub has no public address (or no key).
    """
    if body.tracking_page_links and PageLinker.from_settings(settings) is None:
        raise LinksNeedBaseUrl
    before = await q.get_page(session, merchant_id)
    was_linked = bool(before and before.tracking_page_links)
    row = await q.save_page(session, merchant_id, body.model_dump(mode="json"))
    if row.tracking_page_links != was_linked:
        await replan_linked(session, merchant_id)
    if actor is not None:
        details = {"tracking_page_links": row.tracking_page_links}
        action = "settings.tracking_page"
        await record_activity(session, actor, action, "tracking page", details, merchant_id=merchant_id)
    return row
