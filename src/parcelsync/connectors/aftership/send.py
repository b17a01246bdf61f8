"""AfterShip: register live parcels, update changed ones, delete removed ones (one call per parcel).

- A target never acknowledged (acked_version 0), or one whose AfterShip id is not known, is created
  with `POST /trackings`; 4003 "already exists" counts as success followed by an update of the
  existing tracking (the client's `register`).
- A target acknowledged before is updated with `PUT /trackings/{id}` (the id kept in the target's
  last outcome); a 404 there falls back to creating it again.
- A deleted parcel is removed with `DELETE /trackings/{id}`; a 404 counts as success.
The client honours AfterShip's per-endpoint rate limits from the `X-RateLimit-*` headers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import cast

from parcelsync.connectors.calls import BatchOutcome, CallRecord, SendContext, TargetResult, TargetSnapshot, timed_call
from parcelsync.connectors.keys import KeyField, KeyShape
from parcelsync.domain.carriers import CarrierRegistry
from parcelsync.domain.models import Shipment
from parcelsync.domain.provider import Provider
from parcelsync.providers.aftership.client import AfterShipClient
from parcelsync.providers.aftership.mapping import build_create_body, build_update_body
from parcelsync.providers.errors import NotFound, ProviderError

KEY = KeyShape((KeyField("carrier", "no carrier"), KeyField("tracking_number", "no tracking number")), split="first")
"""An AfterShip target is one parcel: "<canonical carrier>/<tracking number>"."""


def overrides_of(registry: CarrierRegistry) -> dict[str, str]:
    return {carrier: slug for (provider, carrier), slug in registry.overrides.items() if provider is Provider.AFTERSHIP}


def known_id(snapshot: TargetSnapshot) -> str | None:
    """AfterShip's id of the tracking, as the previous successful attempt recorded it."""
    outcome: Mapping[str, object] = snapshot.target.last_outcome or {}
    value = outcome.get("tracking_id")
    return str(value) if value else None


class AfterShipDestination:
    provider = Provider.AFTERSHIP

    async def send(self, ctx: SendContext, snapshots: Sequence[TargetSnapshot]) -> BatchOutcome:
        client = cast(AfterShipClient, ctx.client)
        calls: list[CallRecord] = []
        results: list[TargetResult] = []
        overrides = overrides_of(ctx.registry)
        for snap in snapshots:
            if not snap.shipments:
                results.append(await self._delete(client, snap, calls))
                continue
            shipment = snap.shipments[0]
            tracking_id = known_id(snap)
            if snap.target.acked_version > 0 and tracking_id:
                results.append(await self._update(client, snap, shipment, tracking_id, ctx.registry, overrides, calls))
            else:
                results.append(await self._create(client, snap, shipment, ctx.registry, overrides, calls))
        return BatchOutcome(results, calls)

    async def _create(self, client: AfterShipClient, snap: TargetSnapshot, shipment: Shipment,
                      registry: CarrierRegistry, overrides: Mapping[str, str], calls: list[CallRecord]) -> TargetResult:
        create = build_create_body(shipment, registry, overrides)
        try:
            reg = await timed_call(
                "POST", "/trackings", [snap.key], lambda: client.register(create, build_update_body(shipment)), calls,
                request_summary={"fields": sorted(create)},
            )
        except ProviderError as exc:
            return TargetResult(snap, exc, {"result": "call failed"})
        result = "registered" if reg.created else "already existed, updated"
        return TargetResult(snap, None, {"result": result, "tracking_id": reg.tracking.id})

    async def _update(self, client: AfterShipClient, snap: TargetSnapshot, shipment: Shipment, tracking_id: str,
                      registry: CarrierRegistry, overrides: Mapping[str, str], calls: list[CallRecord]) -> TargetResult:
        body = build_update_body(shipment)
        try:
            await timed_call(
                "PUT", f"/trackings/{tracking_id}", [snap.key], lambda: client.update_tracking(tracking_id, body),
                calls, request_summary={"fields": sorted(body)},
            )
        except NotFound:
            return await self._create(client, snap, shipment, registry, overrides, calls)
        except ProviderError as exc:
            return TargetResult(snap, exc, {"result": "call failed", "tracking_id": tracking_id})
        return TargetResult(snap, None, {"result": "updated", "tracking_id": tracking_id})

    async def _delete(self, client: AfterShipClient, snap: TargetSnapshot, calls: list[CallRecord]) -> TargetResult:
        tracking_id = known_id(snap)
        try:
            if tracking_id is None:
                _, number = KEY.parse(snap.key)
                found = await timed_call(
                    "GET", "/trackings", [snap.key], lambda: client.find_tracking(number), calls,
                    request_summary={"tracking_numbers": number},
                )
                if found is None:
                    return TargetResult(snap, None, {"result": "not there"})
                tracking_id = found.id
            tid = tracking_id
            await timed_call("DELETE", f"/trackings/{tid}", [snap.key], lambda: client.delete_tracking(tid), calls)
        except NotFound:
            return TargetResult(snap, None, {"result": "deleted"})
        except ProviderError as exc:
            return TargetResult(snap, exc, {"result": "call failed", "tracking_id": tracking_id})
        return TargetResult(snap, None, {"result": "deleted"})
