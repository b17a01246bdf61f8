"""SHOPLINE: one update_tracking call per fulfillment, with the fulfillment's full tracking list.

update_tracking overwrites (anything not sent is cleared), so every call carries every live
parcel of the fulfillment; an empty list clears it on v20260301. A claim holds a few
fulfillments of one store; their calls run concurrently and the client's per-store leaky
bucket (4/s, burst 40) spaces them. More than 10 parcels cannot be sent: parked, no call.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import cast

from parcelsync.connectors.calls import BatchOutcome, CallRecord, SendContext, TargetResult, TargetSnapshot, timed_call
from parcelsync.connectors.keys import KeyField, KeyShape
from parcelsync.domain.provider import Provider
from parcelsync.providers.errors import ProviderError, Rejected
from parcelsync.providers.shopline.client import ShoplineClient, update_tracking_path
from parcelsync.providers.shopline.mapping import (
    MAX_TRACKING_ENTRIES,
    build_entries,
    check_entries,
    uses_tracking_list,
)

KEY = KeyShape((KeyField("order_id", "no order"), KeyField("fulfillment_id", "no fulfillment")), split="last")
"""A SHOPLINE target is one fulfillment of one order: "<order_id>/<fulfillment_id>"."""


class ShoplineDestination:
    provider = Provider.SHOPLINE

    async def send(self, ctx: SendContext, snapshots: Sequence[TargetSnapshot]) -> BatchOutcome:
        calls: list[CallRecord] = []
        results = await asyncio.gather(*(self._one(ctx, snap, calls) for snap in snapshots))
        return BatchOutcome(list(results), calls)

    async def _one(self, ctx: SendContext, snap: TargetSnapshot, calls: list[CallRecord]) -> TargetResult:
        client = cast(ShoplineClient, ctx.client)
        entries = build_entries(snap.shipments, ctx.registry)
        detail = {"parcels": len(entries)}
        if len(entries) > MAX_TRACKING_ENTRIES:
            error = Rejected(
                f"tracking_info_list over {MAX_TRACKING_ENTRIES} ({len(entries)} parcels on one fulfillment)",
                provider=self.provider.value, code="too_many_tracking_entries", field="tracking_info_list",
            )
            return TargetResult(snap, error, {**detail, "result": "not sent"})
        try:
            check_entries(client.api_version, entries)
        except Rejected as exc:
            return TargetResult(snap, exc, {**detail, "result": "not sent"})
        order_id, fulfillment_id = KEY.parse(snap.key)
        notify = bool(ctx.connection.options.get("notify_customer", False))
        path = update_tracking_path(client.api_version, order_id, fulfillment_id)
        try:
            result = await timed_call(
                "POST", path, [snap.key],
                lambda: client.update_tracking(order_id, fulfillment_id, entries, notify_customer=notify), calls,
            )
        except ProviderError as exc:
            return TargetResult(snap, exc, {**detail, "result": "call failed"})
        # What the store now holds, to recognise its echo: v20250601 keeps only the last entry.
        held = entries if uses_tracking_list(client.api_version) else entries[-1:]
        sent = [[e.number, e.company, e.url] for e in held]
        return TargetResult(snap, None, {**detail, "result": "updated", "trace_id": result.trace_id, "sent": sent})
