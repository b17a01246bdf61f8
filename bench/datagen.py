"""Deterministic benchmark data: shipments with valid tracking numbers, grouped 3 to an intent and a fulfillment.

Shipment i of a merchant carries payment intent `pi_{m}_{i // group}` and order/fulfillment
`o_{m}_{i // group}` / `f_{m}_{i // group}`, so N shipments span ceil(N / group) intents and
ceil(N / group) fulfillments (N/3 each by default, as the issue asks). Even i are UPS 1Z
numbers, odd i UPU S10 China Post numbers; both with correct check digits.
"""

from __future__ import annotations

import argparse
import csv
import math
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from parcelsync.domain.tracking_numbers import s10_check_digit, ups_check_digit

COUNTRIES = ("US", "GB", "DE", "FR", "CA", "AU", "JP", "BR", "MX", "ES")
CSV_FIELDS = (
    "tracking_number", "carrier", "order_id", "fulfillment_id", "payment_intent_id",
    "customer_email", "destination_country", "title",
)


def ups_number(i: int) -> str:
    body = f"B{i:014d}"
    return f"1Z{body}{ups_check_digit(body)}"


def s10_number(i: int, country: str = "CN") -> str:
    serial = f"{i % 10**8:08d}"
    service = "L" + chr(ord("A") + (i // 10**8) % 26)
    return f"{service}{serial}{s10_check_digit(serial)}{country}"


def tracking_number(i: int) -> tuple[str, str]:
    """(number, canonical carrier) of the i-th shipment."""
    return (ups_number(i), "ups") if i % 2 == 0 else (s10_number(i), "china-post")


@dataclass(frozen=True, slots=True)
class Dataset:
    """N shipments per merchant (as ShipmentIn dicts) and the group counts the bounds depend on."""

    merchants: int
    per_merchant: int
    group: int

    @property
    def total(self) -> int:
        return self.merchants * self.per_merchant

    @property
    def groups_per_merchant(self) -> int:
        return math.ceil(self.per_merchant / self.group)

    @property
    def intents(self) -> int:
        return self.merchants * self.groups_per_merchant

    @property
    def fulfillments(self) -> int:
        return self.intents

    def shipment(self, merchant: int, i: int, offset: int = 0) -> dict[str, Any]:
        """The i-th shipment of merchant `merchant` (numbers unique across merchants)."""
        g = i // self.group
        number, carrier = tracking_number(offset + merchant * self.per_merchant + i)
        return {
            "tracking_number": number,
            "carrier": carrier,
            "order_id": f"o_{merchant}_{g}",
            "fulfillment_id": f"f_{merchant}_{g}",
            "payment_intent_id": f"pi_{merchant}_{g}",
            "customer_email": f"buyer{g}@example.com",
            "destination_country": COUNTRIES[g % len(COUNTRIES)],
            "title": f"Order {g}",
        }

    def for_merchant(self, merchant: int, offset: int = 0) -> list[dict[str, Any]]:
        return [self.shipment(merchant, i, offset) for i in range(self.per_merchant)]

    def minimum_calls(self) -> dict[str, int]:
        """The physical minimum: UseePay ceil(intents/20), TrackingMore ceil(N/40), SHOPLINE one per fulfillment."""
        per = self.per_merchant
        return {
            "useepay": self.merchants * math.ceil(self.groups_per_merchant / 20),
            "trackingmore": self.merchants * math.ceil(per / 40),
            "shopline": self.fulfillments,
        }


def iter_csv_rows(n: int, *, offset: int = 0, seed: int = 0) -> Iterator[dict[str, Any]]:
    """n CSV rows (one merchant), shuffled within blocks so rows of a group are not always adjacent."""
    data = Dataset(1, n, 3)
    rng = random.Random(seed)
    block = 1000
    for start in range(0, n, block):
        idx = list(range(start, min(n, start + block)))
        rng.shuffle(idx)
        for i in idx:
            yield data.shipment(0, i, offset)


def write_csv(path: Path, n: int, *, offset: int = 0) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=CSV_FIELDS)
        writer.writeheader()
        for row in iter_csv_rows(n, offset=offset):
            writer.writerow({k: row[k] for k in CSV_FIELDS})
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description="Write N benchmark shipments as CSV.")
    parser.add_argument("path", type=Path)
    parser.add_argument("-n", type=int, default=100_000)
    args = parser.parse_args()
    write_csv(args.path, args.n)
    sys.stdout.write(f"wrote {args.n} rows to {args.path}\n")


if __name__ == "__main__":
    main()
