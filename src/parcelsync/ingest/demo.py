"""Realistic demo shipments whose tracking numbers pass their carriers' check digits (for `parcelsync demo`)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from parcelsync.db.engine import unit_of_work
from parcelsync.db.queries.merchants import create_merchant, get_merchant
from parcelsync.domain.status import DeliveryStatus
from parcelsync.domain.tracking_numbers import s10_check_digit, ups_check_digit
from parcelsync.ingest.service import ItemResult, upsert_shipments

_NAMES = (
    "Olivia Smith", "Liam Johnson", "Emma Brown", "Noah Garcia", "Ava Miller", "Lucas Martin", "Mia Dubois",
    "Léa Bernard", "Hannah Müller", "Finn Schmidt", "Sofia Rossi", "Yuki Tanaka", "Min-jun Kim", "Chloe Wilson",
)  # fmt: skip
_PRODUCTS = (
    "Linen shirt", "Ceramic mug set", "Bluetooth earbuds", "Yoga mat", "Leather wallet", "Phone case",
    "Scented candle", "Running shoes", "Desk lamp", "Silk scarf", "Kids' puzzle", "Travel backpack",
)  # fmt: skip
_DESTINATIONS = ("US", "GB", "DE", "FR", "CA", "AU", "JP", "KR", "NL", "IT", "ES")
_CHANNELS = ("China Post Registered Air Mail", "YunExpress Global Direct", "UPS Worldwide Saver", "Royal Mail Tracked")
_STATUSES = (
    DeliveryStatus.PENDING, DeliveryStatus.INFO_RECEIVED, DeliveryStatus.IN_TRANSIT, DeliveryStatus.IN_TRANSIT,
    DeliveryStatus.OUT_FOR_DELIVERY, DeliveryStatus.DELIVERED, DeliveryStatus.DELIVERED, DeliveryStatus.EXCEPTION,
)  # fmt: skip
_UPS_ALPHABET = "ABCDEFGHJKLMNPRSTVWXY0123456789"
_CURRENCIES = {"US": "USD", "GB": "GBP", "CA": "CAD", "AU": "AUD", "JP": "JPY", "KR": "KRW"}
ZERO_DECIMAL = frozenset({"JPY", "KRW"})
REFUSED_INTENT = "pi_demo_refused_0001"
"""A payment intent the demo's gateway sandbox does not know: its upload is rejected (a payment at risk)."""


def s10_number(serial: int, service: str = "LX", country: str = "CN") -> str:
    """A UPU S10 number (2 letters, 8 digits, check digit, country) with a correct check digit."""
    digits = f"{serial % 100_000_000:08d}"
    return f"{service}{digits}{s10_check_digit(digits)}{country}"


def ups_number(rng: random.Random) -> str:
    """A UPS 1Z number with a correct check digit."""
    body = "".join(rng.choice(_UPS_ALPHABET) for _ in range(6)) + "03" + f"{rng.randrange(10_000_000):07d}"
    return f"1Z{body}{ups_check_digit(body)}"


def _number(rng: random.Random, index: int) -> tuple[str, str | None, str]:
    """(tracking number, explicit carrier or None, logistics channel)."""
    kind = index % 4
    if kind == 0:
        return s10_number(rng.randrange(100_000_000), "LX", "CN"), None, _CHANNELS[0]
    if kind == 1:
        return f"YT{rng.randrange(10**16):016d}", None, _CHANNELS[1]
    if kind == 2:
        return ups_number(rng), None, _CHANNELS[2]
    return s10_number(rng.randrange(100_000_000), "RR", "GB"), "Royal Mail", _CHANNELS[3]


def demo_shipments(count: int = 50, seed: int = 2024) -> list[dict[str, str]]:
    """`count` shipments as ShipmentIn dicts: every 3rd without a payment intent, every 5th without an order."""
    rng = random.Random(seed)
    values = random.Random(seed + 1)  # its own stream, so adding values left every other field as it was
    today = date.today()
    items: list[dict[str, str]] = []
    for index in range(count):
        number, carrier, channel = _number(rng, index)
        name = rng.choice(_NAMES)
        item = {
            "tracking_number": number,
            "title": rng.choice(_PRODUCTS),
            "logistics_channel": channel,
            "customer_name": name,
            "customer_email": name.split()[0].lower().replace("é", "e") + f"{index}@example.com",
            "destination_country": rng.choice(_DESTINATIONS),
            "ship_date": (today - timedelta(days=rng.randrange(1, 20))).isoformat(),
            "status": rng.choice(_STATUSES).value,
        }
        if carrier:
            item["carrier"] = carrier
        currency = _CURRENCIES.get(item["destination_country"], "EUR")
        cents = values.randrange(1_500, 25_000)
        item["currency"] = currency
        item["order_value"] = str(cents) if currency in ZERO_DECIMAL else f"{cents / 100:.2f}"
        if index % 5:
            item["order_id"] = f"{21000000 + index}"
            item["fulfillment_id"] = f"{31000000 + index}"
        if index % 3:
            item["payment_intent_id"] = f"pi_demo_{index:04d}{rng.randrange(16**8):08x}"
        items.append(item)
    return items


def demo_at_risk_shipments(seed: int = 2024) -> list[dict[str, str]]:
    """Payments the demo shows at risk: an upload the gateway rejects, a parcel in exception, a late parcel."""
    rng = random.Random(seed + 2)
    today = date.today()
    cases = [
        ("pi_demo_refused_0001", "in_transit", 3, "Noise-cancelling headphones", "189.00", "USD", "US"),
        ("pi_demo_exception_0002", "exception", 6, "Espresso machine", "249.90", "EUR", "FR"),
        ("pi_demo_late_0003", "in_transit", 35, "Wool coat", "320.00", "GBP", "GB"),
    ]
    items: list[dict[str, str]] = []
    for index, (intent, status, days, title, value, currency, country) in enumerate(cases):
        items.append({
            "tracking_number": s10_number(90_000_000 + rng.randrange(1_000_000), "LX", "CN"),
            "title": title, "customer_name": _NAMES[index], "customer_email": f"buyer{index}@example.com",
            "destination_country": country, "ship_date": (today - timedelta(days=days)).isoformat(),
            "status": status, "order_id": f"2900000{index}", "fulfillment_id": f"3900000{index}",
            "payment_intent_id": intent, "order_value": value, "currency": currency,
        })
    return items


DEMO_MERCHANT = "demo"


async def seed_demo(sessions: async_sessionmaker[AsyncSession], count: int = 50) -> list[ItemResult]:
    """The demo merchant and its shipments (idempotent: a second run leaves them unchanged)."""
    async with unit_of_work(sessions) as session:
        if await get_merchant(session, DEMO_MERCHANT) is None:
            await create_merchant(session, "Demo Store", DEMO_MERCHANT)
        items = [*demo_shipments(count), *demo_at_risk_shipments()]
        return await upsert_shipments(session, DEMO_MERCHANT, items, source="demo")


SECOND_MERCHANT = "demo-paypal"
"""The second demo store: its payments go through the second payment gateway, its parcels the second tracker."""


def second_store_shipments(count: int = 20, seed: int = 2025) -> list[dict[str, str]]:
    """Demo shipments whose payments are Orders v2 order ids (every 4th order ships two parcels)."""
    items = demo_shipments(count, seed)
    for index, item in enumerate(items):
        item.pop("payment_intent_id", None)
        item["payment_intent_id"] = f"7PD{(index - index % 4 // 3):014d}"
        item["order_id"] = f"{41000000 + index}"
        item["fulfillment_id"] = f"{51000000 + index}"
    return items


def second_store_orders(count: int = 20) -> list[str]:
    return sorted({item["payment_intent_id"] for item in second_store_shipments(count)})


async def seed_second_demo(sessions: async_sessionmaker[AsyncSession], count: int = 20) -> list[ItemResult]:
    """The second demo store and its shipments (idempotent)."""
    async with unit_of_work(sessions) as session:
        if await get_merchant(session, SECOND_MERCHANT) is None:
            await create_merchant(session, "Demo Store (second)", SECOND_MERCHANT)
        return await upsert_shipments(session, SECOND_MERCHANT, second_store_shipments(count), source="demo")
