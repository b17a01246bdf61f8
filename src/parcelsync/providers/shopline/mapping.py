"""Pure mapping between parcelsync shipments and SHOPLINE update_tracking payloads.

Overwrite safety. v20260301 (and every later version) replaces a fulfillment's whole
`tracking_info_list`: any parcel not sent is cleared. So the body always carries the
fulfillment's full current list, in the order given; more than `MAX_TRACKING_ENTRIES` is a
`Rejected` error raised before any call (never a silent truncation), and an empty list is sent
as `tracking_info_list: []`, which deliberately clears the fulfillment's tracking (the shipments
were removed in parcelsync, so SHOPLINE must forget them too).

v20250601 holds a single `tracking_info` per fulfillment. For a fulfillment with several
parcels, the client sends the LAST entry of the list, i.e. the most recent parcel when
shipments are passed oldest first (the sync engine's order); the earlier parcels are not
visible on SHOPLINE on that version, which the README tells merchants (upgrade the connection
to v20260301 to show them all). An empty list cannot be expressed on v20250601 (there is no
"clear"), so it is rejected before any call rather than sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from parcelsync.domain.carriers import CarrierRegistry
from parcelsync.domain.models import Shipment
from parcelsync.domain.provider import Provider
from parcelsync.providers.errors import Rejected
from parcelsync.providers.shopline.carriers import FALLBACK
from parcelsync.providers.shopline.schemas import Fulfillment

MAX_TRACKING_ENTRIES = 10
LIST_API_SINCE = "v20260301"
FALLBACK_COMPANY = FALLBACK
PROVIDER = Provider.SHOPLINE.value


@dataclass(frozen=True, slots=True)
class TrackingEntry:
    """One parcel as SHOPLINE shows it on a fulfillment."""

    company: str | None
    number: str
    url: str | None


def uses_tracking_list(api_version: str) -> bool:
    """True for versions that take `tracking_info_list` on the `fulfillments/...` path (v20260301+)."""
    return api_version >= LIST_API_SINCE


def build_entries(shipments: Iterable[Shipment], registry: CarrierRegistry) -> list[TrackingEntry]:
    """The fulfillment's tracking list, in input order; a repeated tracking number keeps its first place."""
    entries: dict[str, TrackingEntry] = {}
    for shipment in shipments:
        number = shipment.tracking_number.strip()
        if not number:
            continue
        carrier = shipment.carrier.strip() if shipment.carrier else ""
        company = registry.code_for(Provider.SHOPLINE, carrier) if carrier else FALLBACK_COMPANY
        url = shipment.tracking_url or (registry.tracking_url(carrier, number) if carrier else None)
        entries[number] = TrackingEntry(company=company, number=number, url=url)
    return list(entries.values())


def check_entries(api_version: str, entries: Sequence[TrackingEntry]) -> None:
    """Raise `Rejected` for a list SHOPLINE cannot take as-is (too long, or empty on v20250601)."""
    if len(entries) > MAX_TRACKING_ENTRIES:
        raise Rejected(
            f"fulfillment has {len(entries)} tracking entries; SHOPLINE accepts at most {MAX_TRACKING_ENTRIES} "
            "(nothing was sent: split the parcels over several fulfillments)",
            provider=PROVIDER,
            code="too_many_tracking_entries",
            field="tracking_info_list",
        )
    if not entries and not uses_tracking_list(api_version):
        raise Rejected(
            f"{api_version} cannot clear a fulfillment's tracking; nothing was sent",
            provider=PROVIDER,
            code="empty_tracking",
            field="tracking_info",
        )


def _without_none(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}


def build_body(api_version: str, entries: Sequence[TrackingEntry], notify_customer: bool) -> dict[str, Any]:
    """The update_tracking request body for `api_version` (see the module docstring for the rules)."""
    check_entries(api_version, entries)
    if not uses_tracking_list(api_version):
        latest = entries[-1]
        info = _without_none({"company": latest.company, "number": latest.number, "url": latest.url})
        return {"fulfillment": {"tracking_info": info}}
    return {
        "fulfillment": {
            "notify_customer": bool(notify_customer),
            "tracking_info_list": [
                _without_none({"tracking_company": e.company, "tracking_number": e.number, "tracking_url": e.url})
                for e in entries
            ],
        }
    }


def entries_of(fulfillment: Fulfillment) -> list[TrackingEntry]:
    """The tracking a fulfillment holds, from `tracking_info_list` or, on v20250601, the single fields."""
    if fulfillment.tracking_info_list is not None:
        return [
            TrackingEntry(i.tracking_company, i.tracking_number, i.tracking_url)
            for i in fulfillment.tracking_info_list
        ]
    if fulfillment.tracking_number:
        return [TrackingEntry(fulfillment.tracking_company, fulfillment.tracking_number, fulfillment.tracking_url)]
    return []
