"""An intent's value: one amount per order (never summed over its parcels), totals per currency."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from parcelsync.payments.facts import IntentFacts, ParcelFacts


def order_values(parcels: Iterable[ParcelFacts]) -> dict[str, Decimal]:
    """Per currency, the sum over distinct orders of each order's value.

    Every parcel of an order may repeat the order's value; it counts once, and where parcels of one
    order disagree the most recently updated parcel wins. Parcels without an order id belong to
    the intent itself (one order per intent).
    """
    latest: dict[str, ParcelFacts] = {}
    for parcel in parcels:
        if parcel.order_value is None or parcel.currency is None:
            continue
        key = parcel.order_id or ""
        seen = latest.get(key)
        if seen is None or (parcel.updated_at, parcel.shipment_id) > (seen.updated_at, seen.shipment_id):
            latest[key] = parcel
    totals: dict[str, Decimal] = {}
    for parcel in latest.values():
        assert parcel.currency is not None and parcel.order_value is not None
        totals[parcel.currency] = totals.get(parcel.currency, Decimal(0)) + Decimal(parcel.order_value)
    return totals


def intent_value(intent: IntentFacts) -> dict[str, Decimal]:
    return order_values(intent.parcels)


def totals_by_currency(intents: Iterable[IntentFacts]) -> dict[str, Decimal]:
    """The summed value of many intents, per currency (intents with no value add nothing)."""
    totals: dict[str, Decimal] = {}
    for intent in intents:
        for currency, amount in intent_value(intent).items():
            totals[currency] = totals.get(currency, Decimal(0)) + amount
    return dict(sorted(totals.items()))


def format_amount(amount: Decimal, currency: str) -> str:
    """`1,234.50 USD`: thousands separated, the amount's own decimal places kept."""
    return f"{amount:,f} {currency}"
