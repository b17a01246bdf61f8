"""Who may change the hub's setup from the dashboard: admins (users of every merchant)."""

from __future__ import annotations

from fastapi import Depends, HTTPException

from parcelsync.web.app import Page, page, post_page

ADMINS_ONLY = "Only an admin can change the hub's stores and connections."


def is_admin(pg: Page) -> bool:
    return pg.session.user.merchant_id is None


def _admin(pg: Page) -> Page:
    if not is_admin(pg):
        raise HTTPException(status_code=403, detail=ADMINS_ONLY)
    return pg


def admin_page(pg: Page = Depends(page)) -> Page:
    """A page for admins only (403 for a merchant's users)."""
    return _admin(pg)


def admin_post(pg: Page = Depends(post_page)) -> Page:
    """A change for admins only: CSRF checked, then the role."""
    return _admin(pg)
