"""PayPal: every tracker of one payment (full set), coalesced against what PayPal last acknowledged.

- A target is one payment: an Orders v2 order id (default API, `POST /v2/checkout/orders/{id}/track`)
  or, with the `api: trackers_batch` option, a v1 transaction id (`/v1/shipping/trackers-batch`,
  at most 20 trackers a call; the client splits larger sets).
- Full set: every live parcel of the payment is a tracker; a parcel deleted from it is sent as
  `CANCELLED` (only if PayPal acknowledged it before: there is nothing to cancel otherwise).
- Coalescing: the fingerprint (carrier, status) of each tracker PayPal acknowledged is kept in the
  target's last outcome (`trackers`); a tracker whose fingerprint is unchanged is not sent again,
  because PayPal refuses trackers updated too many times. A payment with nothing new makes no call.
- Per-tracker outcomes: a rejected tracker (4xx, `details[].issue` as the reason) fails its target
  with that reason (parked); 429 and 5xx are retried; a 401 after the client's one token refresh
  is an `AuthError` and pauses the connection. PayPal's debug ids go into the audit record.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, cast

from parcelsync.connectors.calls import BatchOutcome, CallRecord, SendContext, TargetResult, TargetSnapshot, timed_call
from parcelsync.connectors.keys import KeyField, KeyShape
from parcelsync.domain.carriers import CarrierRegistry
from parcelsync.domain.provider import Provider
from parcelsync.providers.errors import ProviderError, Rejected
from parcelsync.providers.paypal.client import PayPalClient
from parcelsync.providers.paypal.mapping import PaymentTrackers, TrackerOutcome, build_payment_trackers, pending_lines
from parcelsync.providers.paypal.schemas import BATCH_PATH, ORDERS_PATH
from parcelsync.providers.paypal.status import TrackingApi

KEY = KeyShape(
    (KeyField("payment_intent_id", "no payment id"),), only_when=("payment_gateway", Provider.PAYPAL.value)
)
"""A PayPal target is one payment (order id or transaction id) of a shipment whose gateway is PayPal (or unnamed)."""


def acknowledged_of(snapshot: TargetSnapshot) -> dict[str, str]:
    """tracking number -> fingerprint of every tracker PayPal acknowledged for this payment."""
    outcome = snapshot.target.last_outcome or {}
    trackers = outcome.get("trackers")
    return {str(k): str(v) for k, v in trackers.items()} if isinstance(trackers, Mapping) else {}


def overrides_of(registry: CarrierRegistry) -> dict[str, str]:
    return {carrier: name for (provider, carrier), name in registry.overrides.items() if provider is Provider.PAYPAL}


def settle(snapshot: TargetSnapshot, trackers: PaymentTrackers, outcomes: Sequence[TrackerOutcome],
           acknowledged: dict[str, str]) -> TargetResult:
    """One target's result from its trackers' outcomes (pure): ok when every tracker was accepted."""
    fingerprints = {line.tracking_number: line.fingerprint for line in trackers.lines}
    error: ProviderError | None = None
    debug_ids: list[str] = []
    rejected: dict[str, str] = {}
    for outcome in outcomes:
        if outcome.debug_id:
            debug_ids.append(outcome.debug_id)
        if outcome.accepted:
            acknowledged[outcome.tracking_number] = fingerprints.get(outcome.tracking_number, "")
            continue
        rejected[outcome.tracking_number] = outcome.reason or "not accepted"
        if error is None:
            error = outcome.error or Rejected(outcome.reason or "not accepted", provider=Provider.PAYPAL.value)
    detail: dict[str, Any] = {
        "result": "accepted" if error is None else "rejected",
        "trackers": acknowledged,
        "sent": len(trackers.lines),
        "debug_ids": debug_ids,
    }
    if debug_ids:
        detail["trace_id"] = debug_ids[-1]  # PayPal's debug id: the sync receipt's request id
    if rejected:
        detail["rejected"] = rejected
    return TargetResult(snapshot, error, detail)


class PayPalDestination:
    provider = Provider.PAYPAL

    async def send(self, ctx: SendContext, snapshots: Sequence[TargetSnapshot]) -> BatchOutcome:
        client = cast(PayPalClient, ctx.client)
        api = TrackingApi(str(ctx.connection.options.get("api") or TrackingApi.ORDERS_V2.value))
        notify = bool(ctx.connection.options.get("notify_payer", False))
        overrides = overrides_of(ctx.registry)
        calls: list[CallRecord] = []
        results: list[TargetResult] = []
        todo: list[tuple[TargetSnapshot, PaymentTrackers, dict[str, str]]] = []
        for snap in snapshots:
            acknowledged = acknowledged_of(snap)
            full = build_payment_trackers(
                snap.key, snap.shipments, snap.removed, ctx.registry, api=api, overrides=overrides
            )
            pending = pending_lines(full, acknowledged)
            if not pending.lines:
                results.append(TargetResult(snap, None, {"result": "up to date", "trackers": acknowledged, "sent": 0}))
                continue
            todo.append((snap, pending, acknowledged))
        if not todo:
            return BatchOutcome(results, calls)
        if api is TrackingApi.BATCH_V1:
            results += await self._batch(client, todo, calls)
        else:
            for snap, pending, acknowledged in todo:
                results.append(await self._order(client, snap, pending, acknowledged, notify, calls))
        return BatchOutcome(results, calls)

    async def _order(self, client: PayPalClient, snap: TargetSnapshot, pending: PaymentTrackers,
                     acknowledged: dict[str, str], notify: bool, calls: list[CallRecord]) -> TargetResult:
        path = f"{ORDERS_PATH}/{snap.key}/track"
        try:
            outcomes = await timed_call(
                "POST", path, [snap.key],
                lambda: client.send_order_trackers(
                    pending, notify_payer=notify, request_id_prefix=f"{snap.key}:{snap.version}"
                ),
                calls, request_summary={"trackers": [line.tracking_number for line in pending.lines]},
            )
        except ProviderError as exc:
            return TargetResult(snap, exc, {"result": "call failed", "trackers": acknowledged})
        _annotate(calls, outcomes)
        return settle(snap, pending, outcomes, acknowledged)

    async def _batch(self, client: PayPalClient, todo: list[tuple[TargetSnapshot, PaymentTrackers, dict[str, str]]],
                     calls: list[CallRecord]) -> list[TargetResult]:
        payments = [pending for _, pending, _ in todo]
        known = {(p.payment_id, n): fp for (_, p, ack) in todo for n, fp in ack.items()}
        keys = [snap.key for snap, _, _ in todo]
        try:
            outcomes = await timed_call(
                "POST", BATCH_PATH, keys, lambda: client.send_batch_trackers(payments, acknowledged=known), calls,
                request_summary={"trackers": sum(len(p.lines) for p in payments)},
            )
        except ProviderError as exc:
            return [TargetResult(snap, exc, {"result": "call failed", "trackers": ack}) for snap, _, ack in todo]
        _annotate(calls, outcomes)
        by_payment: dict[str, list[TrackerOutcome]] = {}
        for outcome in outcomes:
            by_payment.setdefault(outcome.payment_id, []).append(outcome)
        return [settle(snap, pending, by_payment.get(pending.payment_id, []), ack) for snap, pending, ack in todo]


def _annotate(calls: list[CallRecord], outcomes: Sequence[TrackerOutcome]) -> None:
    """Keep PayPal's debug ids (and per-tracker results) in the audit record of the call just made."""
    if not calls:
        return
    last = calls[-1]
    debug_ids = [o.debug_id for o in outcomes if o.debug_id]
    summary = {
        **(last.response_summary or {}),
        "debug_ids": debug_ids,
        "trackers": {o.tracking_number: ("accepted" if o.accepted else (o.reason or "rejected")) for o in outcomes},
    }
    calls[-1] = CallRecord(
        last.method, last.path, last.status, last.latency_ms, last.target_keys,
        last.trace_id or (debug_ids[0] if debug_ids else None), last.request_summary, summary, last.error,
    )
