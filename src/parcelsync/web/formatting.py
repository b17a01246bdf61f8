"""Jinja filters: times, ages, labels, and stored request/response summaries as redacted key/value rows."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from jinja2 import Environment

from parcelsync.connectors.registry import all_connectors
from parcelsync.db.base import utcnow
from parcelsync.providers.errors import shown_credentials

SECRET_WORDS = ("key", "token", "secret", "password", "authorization", "signature", "sign", "cookie", "credential")
MAX_ROWS = 40
MAX_LIST_ITEMS = 5
MAX_VALUE_CHARS = 200

PROVIDER_NAMES = {c.id: c.name for c in all_connectors()}
FIELD_NAMES = {"api_key": "API key", "app_id": "App ID", "merchant_no": "Merchant number", "api_version": "API version"}


def when(value: datetime | date | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    return value.isoformat()


def age(value: datetime | None, now: datetime | None = None) -> str:
    """How long ago `value` was, e.g. "3 d 4 h", "12 min", "just now"."""
    if value is None:
        return "—"
    return duration(((now or utcnow()) - value).total_seconds())


def ago(value: datetime | None, now: datetime | None = None) -> str:
    """`just now` or `12 min ago`."""
    text = age(value, now)
    return text if text in ("—", "just now") else f"{text} ago"


def duration(seconds: float) -> str:
    """A compact duration such as "3 d 4 h", "12 min", "just now"."""
    seconds = int(seconds)
    if seconds < 60:
        return "just now"
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if days:
        return f"{days} d {hours % 24} h"
    if hours:
        return f"{hours} h {minutes % 60} min"
    return f"{minutes} min"


def label(value: str | None) -> str:
    """`in_transit` -> `In transit`; provider ids get their proper names."""
    if not value:
        return "—"
    if value in PROVIDER_NAMES or value in FIELD_NAMES:
        return PROVIDER_NAMES.get(value) or FIELD_NAMES[value]
    text = value.replace("_", " ")
    return text[:1].upper() + text[1:]


def number(value: int | float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if isinstance(value, int) or float(value).is_integer() else f"{value:,.1f}"


def _secret(key: str) -> bool:
    lowered = key.lower()
    return any(word in lowered for word in SECRET_WORDS)


def _scalar(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


def _walk(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        if not value:
            yield path or "(empty)", "—"
        for key, item in value.items():
            sub = f"{path}.{key}" if path else str(key)
            if _secret(str(key)):
                yield sub, "***"
            else:
                yield from _walk(item, sub)
    elif isinstance(value, list | tuple):
        if not value:
            yield path, "none"
        for i, item in enumerate(value[:MAX_LIST_ITEMS]):
            yield from _walk(item, f"{path}[{i + 1}]")
        if len(value) > MAX_LIST_ITEMS:
            yield path, f"… and {len(value) - MAX_LIST_ITEMS} more"
    else:
        yield path, _scalar(value)


def summary_rows(value: Any) -> list[tuple[str, str]]:
    """A stored summary as (field, value) rows for a definition list: nested keys flattened, secrets masked."""
    if value is None:
        return []
    if not isinstance(value, dict | list):
        return [("value", _scalar(value))]
    rows = list(_walk(value, ""))
    if len(rows) > MAX_ROWS:
        rows = [*rows[:MAX_ROWS], ("…", f"{len(rows) - MAX_ROWS} more fields")]
    return [(label(k) if "." not in k and "[" not in k else k, v) for k, v in rows]


def masked_credentials(credentials: dict[str, str], public: Collection[str]) -> list[tuple[str, str]]:
    """Credential names and values: the public identifiers in full, every secret masked."""
    return [(label(k), v) for k, v in shown_credentials(credentials, public).items()]


def money(amount: Decimal, currency: str) -> str:
    """`1,234.50 USD`."""
    return f"{amount:,f} {currency}"


def install(env: Environment) -> None:
    env.filters.update(
        money=money,
        when=when,
        age=age,
        ago=ago,
        duration=duration,
        label=label,
        number=number,
        summary_rows=summary_rows,
    )
