"""TrackingMore `webhook_fetch`: a verified webhook only triggers a fetch of its tracking, whose state is applied.

The v2 signature covers `timeStr` alone, so with the option on the webhook's `data` is never trusted: a
webhook saying "delivered" while the provider says "transit" leaves the shipment in transit. With the option
off, today's behaviour (the data is applied). SQLite and PostgreSQL; the fetch goes to the sandbox through
an injected `httpx.ASGITransport`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import update
from tests.integration.sync.sync_harness import MERCHANT, SANDBOX_ROOT, Hub, make_hub, shipment
from tests.integration.sync.test_status_source import NUMBER, status, trackingmore_body

from parcelsync.db.base import utcnow
from parcelsync.db.engine import unit_of_work
from parcelsync.db.tables import ConnectionRow
from parcelsync.domain.provider import Provider
from parcelsync.sandbox.server import create_app
from parcelsync.sync.statuses import Applied, WebhookRejected, receive_webhook

pytestmark = pytest.mark.anyio


@pytest.fixture
async def hub(database_url: str) -> AsyncIterator[Hub]:
    """The merchant's shipment registered at the TrackingMore sandbox, which has moved it to "transit"."""
    h = await make_hub(database_url)
    try:
        await h.upsert([shipment(1)])
        await h.drain(h.worker())
        account = h.sandboxes.trackingmore.accounts[h.accounts.trackingmore_api_key]
        record = next(r for r in account.trackings.values() if r.tracking_number == NUMBER)
        for _ in range(60):
            if record.status == "transit":
                break
            h.sandboxes.trackingmore.advance(3600)
        assert record.status == "transit"
        yield h
    finally:
        await h.http.aclose()
        await h.engine.dispose()


async def set_options(hub: Hub, **options: bool) -> None:
    async with unit_of_work(hub.sessions) as session:
        await session.execute(
            update(ConnectionRow).where(ConnectionRow.provider == Provider.TRACKINGMORE.value).values(options=options)
        )


def sandbox_http(hub: Hub) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(hub.sandboxes)), base_url=SANDBOX_ROOT)


async def deliver(hub: Hub, body: bytes) -> Applied | None:
    async with unit_of_work(hub.sessions) as session:
        return await receive_webhook(
            session, hub.cipher, MERCHANT, body, max_age_s=300, now=utcnow(), provider=Provider.TRACKINGMORE,
            http_factory=lambda: sandbox_http(hub),
        )


async def test_with_the_option_on_the_fetched_state_is_applied_not_the_webhooks_data(hub: Hub) -> None:
    await set_options(hub, webhook_fetch=True)
    body, _ = trackingmore_body(hub, "delivered")
    applied = await deliver(hub, body)
    assert applied is not None and applied.status_changed
    assert await status(hub) == "in_transit"


async def test_with_the_option_on_a_replayed_signature_is_a_duplicate_and_fetches_nothing(hub: Hub) -> None:
    await set_options(hub, webhook_fetch=True)
    body, _ = trackingmore_body(hub, "delivered")
    assert await deliver(hub, body) is not None
    requests = len(hub.sandboxes.trackingmore.log.items)
    assert await deliver(hub, body) is None
    assert len(hub.sandboxes.trackingmore.log.items) == requests
    assert await status(hub) == "in_transit"


async def test_with_the_option_on_a_failed_fetch_is_retryable_and_nothing_is_kept(hub: Hub) -> None:
    await set_options(hub, webhook_fetch=True)
    body, _ = trackingmore_body(hub, "delivered")

    def unreachable() -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(lambda _: httpx.Response(503)))

    with pytest.raises(WebhookRejected) as rejected:
        async with unit_of_work(hub.sessions) as session:
            await receive_webhook(session, hub.cipher, MERCHANT, body, max_age_s=300, now=utcnow(),
                                  provider=Provider.TRACKINGMORE, http_factory=unreachable)
    assert rejected.value.status == 503
    assert await status(hub) == "pending"
    assert await deliver(hub, body) is not None  # the provider's retry: the claim was rolled back
    assert await status(hub) == "in_transit"


async def test_with_the_option_off_the_webhooks_data_is_applied(hub: Hub) -> None:
    await set_options(hub, webhook_fetch=False)
    body, _ = trackingmore_body(hub, "delivered")
    assert await deliver(hub, body) is not None
    assert await status(hub) == "delivered"


async def test_with_the_option_on_nothing_is_written_while_the_fetch_is_in_flight(hub: Hub) -> None:
    """Another writer can commit during the fetch: no write lock (SQLite's is database-wide) waits on the provider."""
    await set_options(hub, webhook_fetch=True)
    body, _ = trackingmore_body(hub, "delivered")
    sandbox = create_app(hub.sandboxes)
    written_meanwhile: list[int] = []

    async def fetch_then_write(request: httpx.Request) -> httpx.Response:
        async with unit_of_work(hub.sessions) as other:
            await other.execute(update(ConnectionRow).values(updated_at=utcnow()))
        written_meanwhile.append(1)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox), base_url=SANDBOX_ROOT) as http:
            answer = await http.send(request)
            return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)

    async with unit_of_work(hub.sessions) as session:
        applied = await receive_webhook(
            session, hub.cipher, MERCHANT, body, max_age_s=300, now=utcnow(), provider=Provider.TRACKINGMORE,
            http_factory=lambda: httpx.AsyncClient(transport=httpx.MockTransport(fetch_then_write)),
        )
    assert written_meanwhile == [1] and applied is not None
    assert await status(hub) == "in_transit"
