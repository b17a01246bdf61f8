"""Constants and helpers shared by the SHOPLINE sandbox and client tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from parcelsync.providers.shopline.mapping import TrackingEntry

FIXTURES = Path(__file__).parents[2] / "fixtures" / "shopline"
TOKEN = "shpat_sandbox_secret_token_0001"
HANDLE = "demo-store"
BASE = "http://sandbox"
JSON_UTF8 = {"Content-Type": "application/json; charset=utf-8"}


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def v2_path(order_id: str = "1001", fulfillment_id: str = "f1", version: str = "v20260301") -> str:
    return f"/{HANDLE}/admin/openapi/{version}/fulfillments/{order_id}/{fulfillment_id}/update_tracking.json"


def v1_path(order_id: str = "1001", fulfillment_id: str = "f1") -> str:
    return f"/{HANDLE}/admin/openapi/v20250601/orders/{order_id}/fulfillments/{fulfillment_id}/update_tracking.json"


def list_body(*numbers: str, notify: bool = False) -> dict[str, Any]:
    return {
        "fulfillment": {
            "notify_customer": notify,
            "tracking_info_list": [{"tracking_company": "4PX", "tracking_number": n} for n in numbers],
        }
    }


A_ENTRY = TrackingEntry("4PX", "UG198768340YP", "https://t.example/UG198768340YP")
