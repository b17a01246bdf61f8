"""`record_activity`: one row per change, written in the caller's unit of work (never commits).

Details are for people reading the log: names, ids, which fields changed. A value under a key that
names a secret (password, token, credentials, api key...) is replaced by "(changed)", so a careless
caller still cannot put a secret in the log.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.db.tables import ActivityRow

DetailValue = str | int | float | bool | None | list[str]
SECRET_KEY = re.compile(r"secret|password|passwd|token|credential|api_?key|private|signature", re.IGNORECASE)
REDACTED = "(changed)"
MAX_ACTOR_CHARS = 100
MAX_SUBJECT_CHARS = 200


class ActorKind(enum.StrEnum):
    USER = "user"
    TOKEN = "token"
    CLI = "cli"


@dataclass(frozen=True, slots=True)
class Actor:
    """Who made a change: a dashboard user, an API token (by its name) or the command line."""

    kind: ActorKind
    name: str

    @classmethod
    def user(cls, username: str) -> Actor:
        return cls(ActorKind.USER, username)

    @classmethod
    def token(cls, token_id: int, name: str) -> Actor:
        return cls(ActorKind.TOKEN, name or f"token {token_id}")

    @classmethod
    def cli(cls) -> Actor:
        return cls(ActorKind.CLI, "command line")

    @property
    def label(self) -> str:
        return f"{self.name} ({self.kind.value})"


def safe_details(details: Mapping[str, DetailValue]) -> dict[str, DetailValue]:
    """The details with every secret-named value replaced."""
    return {key: REDACTED if SECRET_KEY.search(key) else value for key, value in details.items()}


async def record_activity(
    session: AsyncSession,
    actor: Actor,
    action: str,
    subject: str,
    details: Mapping[str, DetailValue] | None = None,
    *,
    merchant_id: str | None,
) -> None:
    """Add one activity row in the current transaction; action is `<thing>.<verb>`, e.g. `token.created`."""
    session.add(
        ActivityRow(
            merchant_id=merchant_id,
            actor_kind=actor.kind.value,
            actor=actor.name[:MAX_ACTOR_CHARS],
            action=action,
            subject=subject[:MAX_SUBJECT_CHARS],
            details=safe_details(details or {}),
        )
    )
