"""TrackingMore: register live parcels (≤40 per batch call), update changed ones, delete removed ones.

- A target never acknowledged before (acked_version 0) is registered through /trackings/batch;
  4016 "already exists" counts as success, but when the answer shows fields that differ from
  ours (or shows nothing) the tracking is brought up to date with PUT.
- A target acknowledged before and bumped again means the parcel changed: PUT the current fields
  (a 4017 "does not exist" there falls back to registering it).
- A deleted parcel is removed with one POST /trackings/delete for all of the claim's deletions;
  4017 "does not exist" counts as success (it is gone either way).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from parcelsync.connectors.calls import BatchOutcome, CallRecord, SendContext, TargetResult, TargetSnapshot, timed_call
from parcelsync.connectors.keys import KeyField, KeyShape
from parcelsync.domain.provider import Provider
from parcelsync.providers.errors import NotFound, ProviderError
from parcelsync.providers.trackingmore.client import TrackingMoreClient
from parcelsync.providers.trackingmore.mapping import TrackingRegistration, build_registration

KEY = KeyShape((KeyField("carrier", "no carrier"), KeyField("tracking_number", "no tracking number")), split="first")
"""A TrackingMore target is one parcel: "<canonical carrier>/<tracking number>"."""

UPDATABLE_FIELDS = (
    "title", "logistics_channel", "customer_name", "customer_email", "customer_phone", "order_id", "destination_code",
)


def update_fields(reg: TrackingRegistration) -> dict[str, Any]:
    """The registration's fields that PUT /trackings/{carrier}/{number} can change (unset ones left out)."""
    payload = reg.payload()
    return {name: payload[name] for name in UPDATABLE_FIELDS if name in payload}


def differs(reg: TrackingRegistration, tracking: dict[str, Any] | None) -> bool:
    """Whether TrackingMore's copy (as returned with a 4016) is missing or disagrees with the registration."""
    if not tracking:
        return True
    return any(str(tracking.get(k) or "") != str(v) for k, v in update_fields(reg).items())


class TrackingMoreDestination:
    provider = Provider.TRACKINGMORE

    async def send(self, ctx: SendContext, snapshots: Sequence[TargetSnapshot]) -> BatchOutcome:
        calls: list[CallRecord] = []
        results: list[TargetResult] = []
        create: list[tuple[TargetSnapshot, TrackingRegistration]] = []
        change: list[tuple[TargetSnapshot, TrackingRegistration]] = []
        remove: list[TargetSnapshot] = []
        for snap in snapshots:
            if not snap.shipments:
                remove.append(snap)
                continue
            reg = build_registration(snap.shipments[0], ctx.registry)
            (change if snap.target.acked_version > 0 else create).append((snap, reg))
        stale: list[tuple[TargetSnapshot, TrackingRegistration]] = []
        client = cast(TrackingMoreClient, ctx.client)
        if create:
            results += await self._create(client, create, calls, stale)
        for snap, reg in [*change, *stale]:
            results.append(await self._update(client, snap, reg, calls))
        if remove:
            results += await self._delete(ctx, remove, calls)
        return BatchOutcome(results, calls)

    async def _create(
        self,
        client: TrackingMoreClient,
        items: list[tuple[TargetSnapshot, TrackingRegistration]],
        calls: list[CallRecord],
        stale: list[tuple[TargetSnapshot, TrackingRegistration]],
    ) -> list[TargetResult]:
        regs = [reg for _, reg in items]
        keys = [snap.key for snap, _ in items]
        try:
            batch = await timed_call("POST", "/trackings/batch", keys, lambda: client.create_batch_call(regs), calls)
        except ProviderError as exc:
            return [TargetResult(snap, exc, {"result": "call failed"}) for snap, _ in items]
        results: list[TargetResult] = []
        for (snap, reg), outcome in zip(items, batch.outcomes, strict=True):
            if outcome.ok and outcome.already_exists and differs(reg, outcome.tracking):
                stale.append((snap, reg))
            elif outcome.ok:
                result = "already existed" if outcome.already_exists else "registered"
                results.append(TargetResult(snap, None, {"result": result}))
            else:
                results.append(TargetResult(snap, outcome.error, {"result": "rejected"}))
        return results

    async def _update(
        self, client: TrackingMoreClient, snap: TargetSnapshot, reg: TrackingRegistration, calls: list[CallRecord]
    ) -> TargetResult:
        path = f"/trackings/{reg.carrier_code}/{reg.tracking_number}"
        fields = update_fields(reg)
        try:
            await timed_call(
                "PUT", path, [snap.key],
                lambda: client.update_tracking(reg.carrier_code, reg.tracking_number, **fields),
                calls, request_summary={"fields": sorted(fields)},
            )
        except NotFound:
            try:
                batch = await timed_call(
                    "POST", "/trackings/batch", [snap.key], lambda: client.create_batch_call([reg]), calls
                )
            except ProviderError as exc:
                return TargetResult(snap, exc, {"result": "call failed"})
            outcome = batch.outcomes[0]
            return TargetResult(snap, outcome.error, {"result": "registered again" if outcome.ok else "rejected"})
        except ProviderError as exc:
            return TargetResult(snap, exc, {"result": "call failed"})
        return TargetResult(snap, None, {"result": "updated"})

    async def _delete(
        self, ctx: SendContext, items: list[TargetSnapshot], calls: list[CallRecord]
    ) -> list[TargetResult]:
        client = cast(TrackingMoreClient, ctx.client)
        pairs = []
        for snap in items:
            carrier, number = KEY.parse(snap.key)
            pairs.append((ctx.registry.code_for(Provider.TRACKINGMORE, carrier), number))
        try:
            outcomes = await timed_call(
                "POST", "/trackings/delete", [s.key for s in items], lambda: client.delete_many(pairs), calls,
                request_summary={"items": [{"carrier_code": c, "tracking_number": n} for c, n in pairs]},
            )
        except ProviderError as exc:
            return [TargetResult(snap, exc, {"result": "call failed"}) for snap in items]
        results = []
        for snap, outcome in zip(items, outcomes, strict=True):
            if outcome.ok or isinstance(outcome.error, NotFound):
                results.append(TargetResult(snap, None, {"result": "deleted"}))
            else:
                results.append(TargetResult(snap, outcome.error, {"result": "rejected"}))
        return results
