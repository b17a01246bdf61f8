"""Recording the dashboard's setup changes (merchants, connections, carrier overrides) in the activity log.

Details name what changed, never a secret: credentials are listed by name only.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.activity.record import DetailValue, record_activity
from parcelsync.web.app import Page

Detail = DetailValue


async def note_change(
    session: AsyncSession, pg: Page, action: str, subject: str, details: Mapping[str, Detail] | None = None,
    *, merchant_id: str | None,
) -> None:
    """One entry per change, in the request's unit of work; `action` is `<thing>.<verb>`."""
    await record_activity(session, pg.actor, action, subject, details, merchant_id=merchant_id)
