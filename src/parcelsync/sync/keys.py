"""Outbox target keys: which destination record a shipment feeds, per provider (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from parcelsync.domain.provider import Provider


class HasTargetFields(Protocol):
    merchant_id: str
    carrier: str
    tracking_number: str
    order_id: str | None
    fulfillment_id: str | None
    payment_intent_id: str | None


@dataclass(frozen=True, slots=True, order=True)
class TargetKey:
    """One destination record: a UseePay payment intent, a SHOPLINE fulfillment or a TrackingMore tracking."""

    provider: Provider
    key: str


def useepay_key(payment_intent_id: str) -> TargetKey:
    return TargetKey(Provider.USEEPAY, payment_intent_id)


def shopline_key(order_id: str, fulfillment_id: str) -> TargetKey:
    return TargetKey(Provider.SHOPLINE, f"{order_id}/{fulfillment_id}")


def trackingmore_key(carrier: str, tracking_number: str) -> TargetKey:
    return TargetKey(Provider.TRACKINGMORE, f"{carrier}/{tracking_number}")


def split_shopline_key(key: str) -> tuple[str, str]:
    order_id, _, fulfillment_id = key.rpartition("/")
    return order_id, fulfillment_id


def split_trackingmore_key(key: str) -> tuple[str, str]:
    carrier, _, number = key.partition("/")
    return carrier, number


def skip_reason(provider: Provider, shipment: HasTargetFields) -> str | None:
    """Why a shipment cannot reach a provider (a missing key), or None when it can."""
    if provider is Provider.USEEPAY and not shipment.payment_intent_id:
        return "no payment intent"
    if provider is Provider.SHOPLINE and not shipment.order_id:
        return "no order"
    if provider is Provider.SHOPLINE and not shipment.fulfillment_id:
        return "no fulfillment"
    return None


def target_keys(shipment: HasTargetFields) -> set[TargetKey]:
    """Every destination record this shipment is part of."""
    keys = {trackingmore_key(shipment.carrier, shipment.tracking_number)}
    if shipment.payment_intent_id:
        keys.add(useepay_key(shipment.payment_intent_id))
    if shipment.order_id and shipment.fulfillment_id:
        keys.add(shopline_key(shipment.order_id, shipment.fulfillment_id))
    return keys
