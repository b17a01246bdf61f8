"""UseePay: one upload call carries up to 20 payment intents, each with its full current set of parcels.

UseePay replaces an intent's stored shipments on every upload, so each tracker carries every
live parcel of the intent. An intent whose last parcel was deleted cannot be expressed: the
API rejects an empty `shipments` list and has no delete. Such a target is parked as
"no parcels left" without a call (UseePay keeps the last set it was sent; the dashboard shows
why), and it comes back to life as soon as a parcel is added to the intent again.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from parcelsync.connectors.calls import BatchOutcome, CallRecord, SendContext, TargetResult, TargetSnapshot, timed_call
from parcelsync.connectors.keys import KeyField, KeyShape
from parcelsync.domain.provider import Provider
from parcelsync.providers.errors import ProviderError, Rejected
from parcelsync.providers.useepay.client import TRACKERS_PATH, UseePayClient
from parcelsync.providers.useepay.mapping import TrackerInput, build_trackers

NO_PARCELS_LEFT = "no parcels left: UseePay cannot hold an empty tracker and has no delete"

KEY = KeyShape(
    (KeyField("payment_intent_id", "no payment intent"),), only_when=("payment_gateway", Provider.USEEPAY.value)
)
"""A UseePay target is one payment intent: its id."""


class UseePayDestination:
    provider = Provider.USEEPAY

    async def send(self, ctx: SendContext, snapshots: Sequence[TargetSnapshot]) -> BatchOutcome:
        client = cast(UseePayClient, ctx.client)
        results: list[TargetResult] = []
        trackers: list[TrackerInput] = []
        sending: list[TargetSnapshot] = []
        for snap in snapshots:
            built = build_trackers(snap.shipments, ctx.registry)
            if not built:
                empty = Rejected(NO_PARCELS_LEFT, provider=self.provider.value, code="no_parcels_left")
                results.append(TargetResult(snap, empty, {"result": "not sent", "parcels": 0}))
                continue
            trackers.append(TrackerInput(snap.key, built[0].shipments))
            sending.append(snap)
        calls: list[CallRecord] = []
        if not trackers:
            return BatchOutcome(results, calls)
        keys = [s.key for s in sending]
        try:
            upload = await timed_call("POST", TRACKERS_PATH, keys, lambda: client.upload_batch(trackers), calls)
        except ProviderError as exc:
            results.extend(TargetResult(s, exc, {"result": "call failed"}) for s in sending)
            return BatchOutcome(results, calls)
        by_intent = {o.payment_intent_id: o for o in upload.outcomes}
        for snap, tracker in zip(sending, trackers, strict=True):
            outcome = by_intent.get(snap.key)
            parcels = len(tracker.shipments)
            if outcome is not None and outcome.accepted:
                results.append(TargetResult(snap, None, {"result": "accepted", "parcels": parcels}))
            else:
                error = outcome.error if outcome is not None and outcome.error is not None else Rejected(
                    outcome.reason if outcome is not None and outcome.reason else "not accepted",
                    provider=self.provider.value,
                )
                results.append(TargetResult(snap, error, {"result": "rejected", "parcels": parcels}))
        return BatchOutcome(results, calls)
