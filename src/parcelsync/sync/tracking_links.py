"""`tracking_page_links`: the store and the payment gateway get the order's tracking page URL as tracking_url.

One decision (`tracking_url_for`) by destination kind, applied where snapshots are built (`with_page_links`),
so it is the same for every provider of a kind. A tracking provider keeps the carrier's URL: it tracks the
parcel itself. Parcels without an order number keep theirs too (the page is per order).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.connectors.record import Kind
from parcelsync.db.queries.tracking_pages import get_page
from parcelsync.domain.models import Shipment
from parcelsync.security.order_tokens import OrderTokenError, OrderTokens
from parcelsync.settings import Settings

LINKED_KINDS = frozenset({Kind.STORE, Kind.PAYMENT_GATEWAY})
TRACK_PATH = "/track"


def tracking_url_for(kind: Kind, carrier_url: str | None, page_url: str | None) -> str | None:
    """The tracking_url a destination of `kind` gets: the tracking page when there is one and the kind takes it."""
    if page_url and kind in LINKED_KINDS:
        return page_url
    return carrier_url


@dataclass(frozen=True)
class PageLinker:
    """Builds tracking page URLs: the public base URL and the order tokens."""

    base_url: str
    tokens: OrderTokens

    @classmethod
    def from_settings(cls, settings: Settings) -> PageLinker | None:
        """None when the hub has no public_base_url or no secret key (the option cannot work then)."""
        if not settings.public_base_url:
            return None
        try:
            return cls(settings.public_base_url.rstrip("/"), OrderTokens.from_secret(settings.secret_key))
        except OrderTokenError:
            return None

    def page_url(self, merchant_id: str, order_id: str) -> str:
        token = self.tokens.issue(merchant_id, order_id)
        return f"{self.base_url}{TRACK_PATH}/{quote(merchant_id, safe='')}/{token}"


async def links_enabled(session: AsyncSession, merchant_id: str) -> bool:
    page = await get_page(session, merchant_id)
    return bool(page and page.tracking_page_links)


def with_page_links(
    shipments: Sequence[Shipment], kind: Kind, linker: PageLinker, merchant_id: str
) -> tuple[Shipment, ...]:
    """The shipments with tracking_url as a destination of `kind` should get it."""
    out = []
    for s in shipments:
        page = linker.page_url(merchant_id, s.order_id) if s.order_id and len(s.order_id.encode()) <= 255 else None
        url = tracking_url_for(kind, s.tracking_url, page)
        out.append(s if url == s.tracking_url else dataclasses.replace(s, tracking_url=url))
    return tuple(out)
