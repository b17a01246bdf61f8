"""Alert e-mails: one message per critical alert when it opens (retried until sent), and a daily digest."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.alerts.mail import Mailer
from parcelsync.alerts.rules import RULES
from parcelsync.db.tables import AlertRow, AlertSettingsRow
from parcelsync.logging import get_logger

log = get_logger("parcelsync.alerts")


async def recipient(session: AsyncSession, merchant_id: str) -> str | None:
    settings = await session.get(AlertSettingsRow, merchant_id)
    return settings.email if settings is not None and settings.email else None


async def send_critical(session: AsyncSession, mailer: Mailer, merchant_id: str, *, now: datetime) -> int:
    """Mail every open critical alert not mailed yet; a failed send is tried again on the next pass."""
    to = await recipient(session, merchant_id)
    if to is None:
        return 0
    pending = (
        await session.scalars(
            select(AlertRow)
            .where(
                AlertRow.merchant_id == merchant_id,
                AlertRow.state == "open",
                AlertRow.severity == "critical",
                AlertRow.notified_at.is_(None),
            )
            .order_by(AlertRow.id)
        )
    ).all()
    sent = 0
    for alert in pending:
        body = (
            f"A critical alert opened for merchant {merchant_id} at {alert.opened_at:%Y-%m-%d %H:%M} UTC.\n\n"
            f"{alert.title}\nRule: {alert.rule} ({RULES[alert.rule].description})\n"
            + "".join(f"{k}: {v}\n" for k, v in sorted(alert.detail.items()) if v is not None)
            + "\nIt resolves by itself when the cause goes away; acknowledge it in the dashboard's Alerts page.\n"
        )
        try:
            await mailer.send(to, f"[parcelsync] critical: {alert.title}", body)
        except Exception as exc:  # the SMTP server is down or refuses: kept for the next pass
            log.warning("alert_mail_failed", merchant_id=merchant_id, alert_id=alert.id, error=type(exc).__name__)
            break
        alert.notified_at = now
        sent += 1
    return sent


async def send_digest(session: AsyncSession, mailer: Mailer, merchant_id: str, *, now: datetime) -> bool:
    """The daily summary: open alerts by rule, and what opened and resolved in the last 24 hours."""
    to = await recipient(session, merchant_id)
    settings = await session.get(AlertSettingsRow, merchant_id)
    if to is None or settings is None or not settings.daily_digest:
        return False
    since = now - timedelta(days=1)
    active = (
        await session.scalars(
            select(AlertRow).where(AlertRow.merchant_id == merchant_id, AlertRow.state.in_(("open", "acknowledged")))
        )
    ).all()
    opened = (
        await session.scalars(select(AlertRow).where(AlertRow.merchant_id == merchant_id, AlertRow.opened_at >= since))
    ).all()
    resolved = (
        await session.scalars(
            select(AlertRow).where(AlertRow.merchant_id == merchant_id, AlertRow.resolved_at >= since)
        )
    ).all()
    if not active and not opened:
        return False
    by_rule = Counter(a.rule for a in active)
    lines = [f"parcelsync daily digest for merchant {merchant_id}, {now.date().isoformat()}", ""]
    lines.append(f"Open or acknowledged: {len(active)}")
    lines += [f"  {rule}: {n}" for rule, n in sorted(by_rule.items())]
    lines += ["", f"Opened in the last 24 hours: {len(opened)}", f"Resolved in the last 24 hours: {len(resolved)}", ""]
    lines += [f"- [{a.severity}] {a.title}" for a in sorted(active, key=lambda a: a.id)[:50]]
    await mailer.send(to, f"[parcelsync] daily digest: {len(active)} open alerts", "\n".join(lines) + "\n")
    return True
