"""The baseline: what a merchant's cron script does, one shipment at a time, three calls in a row, plain httpx.

For each shipment: upload its payment intent's trackers to UseePay, write its fulfillment's
tracking list to SHOPLINE, register the number at TrackingMore. To keep the end state correct
(both UseePay and SHOPLINE overwrite) the script sends the whole group it knows from its own
data, as a careful script would; it does no batching, no concurrency and no retries.

Standalone: `.venv/bin/python -m bench.naive -n 600` starts its own sandbox (50 ms latency).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from bench.datagen import Dataset
from bench.sandboxes import MerchantAccounts, SandboxAdmin

USEEPAY_CARRIER = {"ups": "ups", "china-post": "others"}
SHOPLINE_COMPANY = {"ups": "UPS", "china-post": "China Post"}
TRACKINGMORE_CARRIER = {"ups": "ups", "china-post": "china-post"}


@dataclass(frozen=True, slots=True)
class NaiveResult:
    shipments: int
    calls: int
    errors: int
    wall_s: float

    @property
    def per_shipment_s(self) -> float:
        return self.wall_s / self.shipments if self.shipments else 0.0


def run_naive(accounts: MerchantAccounts, shipments: Sequence[dict[str, Any]], timeout_s: float = 30.0) -> NaiveResult:
    """Sync `shipments` the naive way; returns the wall time and how many calls failed."""
    by_intent: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_fulfillment: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for s in shipments:
        by_intent[s["payment_intent_id"]].append(s)
        by_fulfillment[(s["order_id"], s["fulfillment_id"])].append(s)
    ue_url, ue = accounts.useepay
    sl_url, sl = accounts.shopline
    tm_url, tm = accounts.trackingmore
    ue_headers = {"x-merchant-no": ue["merchant_no"], "x-app-id": ue["app_id"], "x-api-key": ue["api_key"]}
    sl_headers = {"Authorization": f"Bearer {sl['access_token']}"}
    tm_headers = {"Trackingmore-Api-Key": tm["api_key"]}
    calls = errors = 0
    started = time.monotonic()
    with httpx.Client(timeout=timeout_s) as http:
        for s in shipments:
            group = by_intent[s["payment_intent_id"]]
            responses = [
                http.post(f"{ue_url}/api/v2/shipping/trackers", headers=ue_headers, json={"trackers": [{
                    "payment_intent_id": s["payment_intent_id"],
                    "shipments": [{"carrier": USEEPAY_CARRIER[g["carrier"]], "tracking_number": g["tracking_number"]}
                                  for g in group],
                }]}),
                http.post(
                    f"{sl_url}/admin/openapi/v20260301/fulfillments/{s['order_id']}/{s['fulfillment_id']}"
                    "/update_tracking.json",
                    headers=sl_headers,
                    json={"fulfillment": {"notify_customer": False, "tracking_info_list": [
                        {"tracking_company": SHOPLINE_COMPANY[g["carrier"]], "tracking_number": g["tracking_number"]}
                        for g in by_fulfillment[(s["order_id"], s["fulfillment_id"])]
                    ]}},
                ),
                http.post(f"{tm_url}/trackings/post", headers=tm_headers, json={
                    "tracking_number": s["tracking_number"], "carrier_code": TRACKINGMORE_CARRIER[s["carrier"]],
                }),
            ]
            calls += len(responses)
            errors += sum(1 for r in responses if r.status_code >= 300)
    return NaiveResult(len(shipments), calls, errors, time.monotonic() - started)


def main() -> None:
    from bench.harness import stack

    parser = argparse.ArgumentParser(description="The naive sequential sync, against its own sandbox.")
    parser.add_argument("-n", type=int, default=600, help="shipments to sync (default 600)")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    args = parser.parse_args()
    with stack("naive") as s:
        sandbox = s.sandbox()
        admin = SandboxAdmin(sandbox.url)
        admin.faults_all(latency_ms=args.latency_ms)
        accounts = admin.add_merchant(0, shopline_rate_limit=False)
        data = Dataset(1, args.n, 3)
        result = run_naive(accounts, data.for_merchant(0))
        admin.close()
    sys.stdout.write(
        f"naive: {result.shipments} shipments, {result.calls} calls, {result.errors} errors, "
        f"{result.wall_s:.1f} s ({result.per_shipment_s * 1000:.1f} ms per shipment)\n"
    )


if __name__ == "__main__":
    main()
