"""Webhook endpoint storage: create (the secret is returned once), list, change, delete, rotate the secret."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.db.base import utcnow
from parcelsync.db.crypto import CredentialCipher
from parcelsync.db.results import rows_affected
from parcelsync.db.tables import WebhookEndpointRow
from parcelsync.outbound.signing import new_secret

ROTATION_OVERLAP = timedelta(hours=24)
"""After a rotation, deliveries carry signatures by the old and the new secret for this long."""


@dataclass(frozen=True, slots=True)
class NewEndpoint:
    """An endpoint just created (or rotated), with its secret in clear: the only time it is shown."""

    row: WebhookEndpointRow
    secret: str


def _encrypt(cipher: CredentialCipher, secret: str) -> str:
    return cipher.encrypt({"secret": secret})


def endpoint_secrets(cipher: CredentialCipher, row: WebhookEndpointRow, now: datetime) -> list[str]:
    """The secrets to sign with: the current one, plus the previous while its overlap lasts."""
    found = [cipher.decrypt(row.secret_enc)["secret"]]
    expires = row.previous_secret_expires_at
    if row.previous_secret_enc and expires is not None and expires > now:
        found.append(cipher.decrypt(row.previous_secret_enc)["secret"])
    return found


async def create_endpoint(
    session: AsyncSession,
    cipher: CredentialCipher,
    merchant_id: str,
    *,
    url: str,
    event_types: Sequence[str] = (),
    enabled: bool = True,
    description: str = "",
) -> NewEndpoint:
    secret = new_secret()
    now = utcnow()
    row = WebhookEndpointRow(
        merchant_id=merchant_id,
        url=url,
        event_types=list(event_types),
        enabled=enabled,
        description=description,
        secret_enc=_encrypt(cipher, secret),
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    await session.flush()
    return NewEndpoint(row, secret)


async def list_endpoints(session: AsyncSession, merchant_id: str) -> list[WebhookEndpointRow]:
    stmt = select(WebhookEndpointRow).where(WebhookEndpointRow.merchant_id == merchant_id)
    return list((await session.scalars(stmt.order_by(WebhookEndpointRow.id))).all())


async def get_endpoint(session: AsyncSession, merchant_id: str, endpoint_id: int) -> WebhookEndpointRow | None:
    return await session.scalar(
        select(WebhookEndpointRow).where(
            WebhookEndpointRow.merchant_id == merchant_id, WebhookEndpointRow.id == endpoint_id
        )
    )


def set_enabled(row: WebhookEndpointRow, enabled: bool, *, now: datetime, reason: str | None = None) -> None:
    """Switch an endpoint on (forgetting why it was off and its failure streak) or off (with the reason)."""
    row.enabled = enabled
    row.disabled_reason = None if enabled else (reason or "disabled by a person")
    if enabled:
        row.failing_since = None
    row.updated_at = now


async def disable_once(session: AsyncSession, row: WebhookEndpointRow, *, now: datetime, reason: str) -> bool:
    """Switch an endpoint off unless it is off already, in one guarded UPDATE; True for the one caller that did.

    Two batches of one endpoint recorded at once (two dispatchers) both read it enabled; only the first UPDATE
    finds `enabled` still true, so the event and the notice happen once.
    """
    result = await session.execute(
        update(WebhookEndpointRow)
        .where(WebhookEndpointRow.id == row.id, WebhookEndpointRow.enabled.is_(True))
        .values(enabled=False, disabled_reason=reason, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if rows_affected(result) != 1:
        return False
    set_enabled(row, False, now=now, reason=reason)
    return True


def rotate_secret(cipher: CredentialCipher, row: WebhookEndpointRow, *, now: datetime) -> str:
    """A new secret; the old one keeps signing alongside for ROTATION_OVERLAP. Returns the new secret."""
    secret = new_secret()
    row.previous_secret_enc = row.secret_enc
    row.previous_secret_expires_at = now + ROTATION_OVERLAP
    row.secret_enc = _encrypt(cipher, secret)
    row.updated_at = now
    return secret


async def reencrypt_secrets(session: AsyncSession, cipher: CredentialCipher) -> int:
    """`keys rotate`: re-encrypt every endpoint's signing secrets with the newest key; returns how many endpoints."""
    rows = (await session.scalars(select(WebhookEndpointRow))).all()
    for row in rows:
        row.secret_enc = cipher.rotate(row.secret_enc)
        if row.previous_secret_enc:
            row.previous_secret_enc = cipher.rotate(row.previous_secret_enc)
    return len(rows)
