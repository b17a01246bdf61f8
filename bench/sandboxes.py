"""The sandboxes' admin API, as the benchmarks use it: seed accounts, set faults, count calls, dump state.

One sandbox process serves all three providers: `/useepay`, `/shopline/{handle}`, `/trackingmore/v2`,
each with its admin routes under `<prefix>/_sandbox/...`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import httpx

PROVIDERS = ("useepay", "shopline", "trackingmore")


@dataclass(frozen=True, slots=True)
class MerchantAccounts:
    """One bench merchant's sandbox accounts: the base URL and credentials of each connection."""

    index: int
    useepay: tuple[str, dict[str, str]]
    shopline: tuple[str, dict[str, str]]
    trackingmore: tuple[str, dict[str, str]]

    @property
    def merchant_no(self) -> str:
        return self.useepay[1]["merchant_no"]

    @property
    def handle(self) -> str:
        return self.shopline[1]["handle"]

    @property
    def email(self) -> str:
        return f"bench{self.index}@example.com"

    def connections(self) -> dict[str, tuple[str, dict[str, str]]]:
        return {"useepay": self.useepay, "shopline": self.shopline, "trackingmore": self.trackingmore}


class SandboxAdmin:
    """A thin synchronous client of the sandboxes' `/_sandbox` routes."""

    def __init__(self, base_url: str) -> None:
        self.base = base_url.rstrip("/")
        self.http = httpx.Client(base_url=self.base, timeout=120.0)

    def close(self) -> None:
        self.http.close()

    def _ok(self, response: httpx.Response) -> Any:
        if response.status_code >= 300:
            request = response.request
            raise RuntimeError(f"{request.method} {request.url}: {response.status_code} {response.text}")
        return response.json()

    def add_merchant(self, index: int, *, shopline_rate_limit: bool, rate_per_second: float | None = None,
                     bucket_size: int | None = None) -> MerchantAccounts:
        merchant_no, api_key = f"M{index:05d}", f"UseePay_SK_bench{index:05d}"
        self._ok(self.http.post("/useepay/_sandbox/merchants", json={
            "merchant_no": merchant_no, "app_id": "bench.example.com", "api_key": api_key,
            "accept_any_payment_intent": True,
        }))
        handle, token = f"store{index}", f"shpat_bench{index:05d}"
        store: dict[str, Any] = {"handle": handle, "access_token": token, "rate_limit": shopline_rate_limit,
                                 "auto_create": True}
        if rate_per_second is not None:
            store["rate_per_second"] = rate_per_second
        if bucket_size is not None:
            store["bucket_size"] = bucket_size
        self._ok(self.http.post("/shopline/_sandbox/stores", json=store))
        tm_key = f"tmkey-bench-{index:05d}"
        self._ok(self.http.post("/trackingmore/_sandbox/accounts", json={
            "api_key": tm_key, "email": f"bench{index}@example.com", "quota": 10_000_000,
        }))
        return MerchantAccounts(
            index,
            (f"{self.base}/useepay", {"merchant_no": merchant_no, "app_id": "bench.example.com", "api_key": api_key}),
            (f"{self.base}/shopline/{handle}", {"access_token": token, "handle": handle}),
            (f"{self.base}/trackingmore/v2", {"api_key": tm_key}),
        )

    def faults(self, provider: str, **config: Any) -> Any:
        return self._ok(self.http.put(f"/{provider}/_sandbox/faults", json=config))

    def faults_all(self, **config: Any) -> None:
        for provider in PROVIDERS:
            self.faults(provider, **config)

    def injected(self, provider: str) -> dict[str, int]:
        data = self._ok(self.http.get(f"/{provider}/_sandbox/faults"))
        return dict(data.get("injected") or {})

    def trackingmore_rate_limits(self, on: bool) -> Any:
        return self._ok(self.http.patch("/trackingmore/_sandbox/settings", json={"rate_limits": on}))

    def requests(self, provider: str) -> list[dict[str, Any]]:
        """Every recorded (non-admin) request of one sandbox: method, path, status, body, timing."""
        data = self._ok(self.http.get(f"/{provider}/_sandbox/requests"))
        if isinstance(data, list):
            return data
        return list(data.get("requests") or data.get("items") or [])

    def clear_requests(self) -> None:
        for provider in PROVIDERS:
            self.http.delete(f"/{provider}/_sandbox/requests")

    def call_counts(self) -> dict[str, dict[str, Any]]:
        """Per provider: total calls, calls by status, and the write calls that carry data."""
        out: dict[str, dict[str, Any]] = {}
        for provider in PROVIDERS:
            items = self.requests(provider)
            statuses = Counter(str(r["status"]) for r in items)
            out[provider] = {"total": len(items), "by_status": dict(statuses), "items": items}
        return out

    def reset_all(self) -> None:
        for provider in PROVIDERS:
            self._ok(self.http.post(f"/{provider}/_sandbox/reset"))

    # -- state dumps (what each provider holds now) -----------------------------------------

    def useepay_state(self, merchant_no: str) -> dict[str, list[tuple[str, str]]]:
        """payment_intent_id -> [(carrier, tracking_number)] in the order stored."""
        data = self._ok(self.http.get("/useepay/_sandbox/trackers", params={"merchant_no": merchant_no}))
        return {
            t["payment_intent_id"]: [(s.get("carrier"), s.get("tracking_number")) for s in t["shipments"]]
            for t in data["trackers"]
        }

    def useepay_writes(self, merchant_no: str) -> int:
        data = self._ok(self.http.get("/useepay/_sandbox/trackers", params={"merchant_no": merchant_no}))
        return sum(int(t.get("writes", 1)) for t in data["trackers"])

    def shopline_state(self, handle: str) -> dict[str, list[tuple[str | None, str]]]:
        """"order_id/fulfillment_id" -> [(tracking_company, tracking_number)]."""
        data = self._ok(self.http.get(f"/shopline/_sandbox/stores/{handle}/fulfillments"))
        return {
            f"{f['order_id']}/{f['fulfillment_id']}": [
                (t.get("tracking_company"), t["tracking_number"]) for t in f["tracking_info_list"]
            ]
            for f in data["fulfillments"]
        }

    def trackingmore_state(self) -> dict[str, list[tuple[str, str]]]:
        """account email -> [(carrier_code, tracking_number)]."""
        out: dict[str, list[tuple[str, str]]] = {}
        for t in self._ok(self.http.get("/trackingmore/_sandbox/trackings")):
            out.setdefault(t["account"], []).append((t["carrier_code"], t["tracking_number"]))
        return out
