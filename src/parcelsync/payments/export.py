"""Bulk export: the evidence packs (JSON and PDF) of every payment intent shipped in a date range, as one zip."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.payments.evidence import build_pack
from parcelsync.payments.pdf import render_pdf
from parcelsync.payments.service import IntentFilter, list_intents

MAX_PACKS = 500


class TooManyPacks(ValueError):
    """The date range holds more payment intents than one export may carry."""


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)[:120]


async def export_zip(
    session: AsyncSession, merchant_id: str, shipped_from: date, shipped_to: date, now: datetime,
    *, at_risk: bool | None = None, limit: int = MAX_PACKS,
) -> tuple[bytes, int]:
    """A zip of `<intent>.json` + `<intent>.pdf` per intent (and a SHA256SUMS file); returns (bytes, packs)."""
    views = await list_intents(
        session, merchant_id, IntentFilter(shipped_from=shipped_from, shipped_to=shipped_to, at_risk=at_risk), now
    )
    if len(views) > limit:
        raise TooManyPacks(f"{len(views)} payment intents in this range; at most {limit} per export")
    buffer = io.BytesIO()
    sums: list[str] = []
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for view in views:
            pack = await build_pack(session, merchant_id, view.id, now)
            if pack is None:
                continue
            name = _safe(view.id)
            archive.writestr(f"{name}.json", pack.canonical_json)
            archive.writestr(f"{name}.pdf", render_pdf(pack))
            sums.append(f"{pack.sha256}  {name}.json")
        archive.writestr("SHA256SUMS", "\n".join(sums) + ("\n" if sums else ""))
    return buffer.getvalue(), len(sums)
