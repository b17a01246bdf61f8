"""The demo's second flow: the store as the source. No command of its own; `demo` runs it once serving.

parcelsync subscribes its webhook URL through the SHOPLINE sandbox's subscription API, then, standing
in for a person in the merchant's admin, fulfillments are created in the sandbox. Each one reaches
the hub only as a signed `fulfillments/create` webhook (the payment intent is looked up in the
order through the order API), and the worker passes it on to UseePay and TrackingMore: nobody
calls parcelsync's own API.
"""

from __future__ import annotations

import asyncio
import time

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from parcelsync.connectors.registry import with_inbound
from parcelsync.db.crypto import CredentialCipher
from parcelsync.ingest.demo import DEMO_MERCHANT, s10_number
from parcelsync.ingest.store.subscribe import subscribe_store
from parcelsync.sandbox.link import SandboxAccounts
from parcelsync.sandbox.server import Sandboxes, SandboxUrls

STORE_FULFILLMENTS = 5
FIRST_SERIAL = 90_000


def store_intents(count: int = STORE_FULFILLMENTS) -> list[str]:
    """The payment intents the store's demo orders carry (the gateway sandbox must know them)."""
    return [f"pi_store_{i:04d}" for i in range(1, count + 1)]


def _numbers(count: int) -> list[str]:
    return [s10_number(FIRST_SERIAL + i) for i in range(count)]


def arrived(sandboxes: Sandboxes, accounts: SandboxAccounts, numbers: list[str]) -> tuple[int, int]:
    """How many of the store's numbers UseePay and TrackingMore hold now."""
    trackers = sandboxes.useepay.all_trackers(accounts.merchant_no)
    at_gateway = {s["tracking_number"] for t in trackers for s in t.shipments}
    account = sandboxes.trackingmore.accounts.get(accounts.trackingmore_api_key)
    at_tracker = {r.tracking_number for r in account.trackings.values()} if account else set()
    return len(at_gateway & set(numbers)), len(at_tracker & set(numbers))


async def store_flow(
    sessions: async_sessionmaker[AsyncSession],
    cipher: CredentialCipher,
    urls: SandboxUrls,
    sandbox: httpx.AsyncClient,
    api_root: str,
    accounts: SandboxAccounts,
    sandboxes: Sandboxes,
    *,
    count: int = STORE_FULFILLMENTS,
    wait_s: float = 20.0,
) -> str:
    """Subscribe, create `count` fulfillments in the store sandbox, wait until they reached both providers."""
    source = next(c.inbound for c in with_inbound() if c.inbound is not None)
    await subscribe_store(sessions, cipher, source, DEMO_MERCHANT, api_root, http=sandbox)
    numbers = _numbers(count)
    for i, (number, intent) in enumerate(zip(numbers, store_intents(count), strict=True), start=1):
        response = await sandbox.put(
            f"{urls.shopline_admin}/_sandbox/stores/{accounts.shop_handle}"
            f"/orders/store-{i:04d}/fulfillments/sf-{i:04d}",
            json={"tracking_info_list": [{"tracking_company": "China Post", "tracking_number": number}],
                  "pay_channel_deal_id": intent, "email": f"buyer{i}@demo.example"},
        )
        response.raise_for_status()
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        gateway, tracker = arrived(sandboxes, accounts, numbers)
        if gateway == tracker == count:
            break
        await asyncio.sleep(0.5)
    gateway, tracker = arrived(sandboxes, accounts, numbers)
    return (
        f"store flow  {count} fulfillments created in the SHOPLINE sandbox arrived by webhook: "
        f"{gateway} at UseePay, {tracker} at TrackingMore (no call to parcelsync's API)"
    )
