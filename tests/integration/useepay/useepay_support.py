"""Shared constants and helpers of the UseePay client/sandbox integration tests."""

from __future__ import annotations

from parcelsync.providers.useepay import ShipmentLine, TrackerInput

BASE_URL = "http://useepay.sandbox"
MERCHANT_NO = "500000000000001"
APP_ID = "shop.example.com"
API_KEY = "UseePay_SK_test_0a1b2c3d4e5f6a7b8c9d"
INTENTS = tuple(f"10126012917302{i:05d}" for i in range(60))


def headers(**overrides: str) -> dict[str, str]:
    """The credential headers of the test merchant, as a raw HTTP caller sends them."""
    base = {"x-merchant-no": MERCHANT_NO, "x-app-id": APP_ID, "x-api-key": API_KEY, "x-api-version": "2024-08"}
    return {**base, **overrides}


def tracker(intent: str, *numbers: str, carrier: str = "ups") -> TrackerInput:
    lines = tuple(ShipmentLine(carrier, n, f"https://www.ups.com/track?tracknum={n}") for n in numbers or ("1Z0001",))
    return TrackerInput(intent, lines)
