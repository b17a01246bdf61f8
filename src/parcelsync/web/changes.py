"""Recording the dashboard's setup changes (merchants, connections, carrier overrides) for the activity log.

Details name what changed, never a secret: credentials are listed by name only.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.logging import get_logger
from parcelsync.web.app import Page

log = get_logger("parcelsync.web.changes")
Detail = str | int | bool | None | list[str]


async def note_change(
    session: AsyncSession, pg: Page, action: str, subject: str, details: Mapping[str, Detail] | None = None,
    *, merchant_id: str | None,
) -> None:
    """One entry per change, in the request's unit of work; `action` is `<thing>.<verb>`."""
    del session  # the activity table is written here once it exists; until then the structured log holds it
    log.info(
        "dashboard_change", actor=pg.session.user.username, action=action, subject=subject,
        merchant_id=merchant_id, **dict(details or {}),
    )
