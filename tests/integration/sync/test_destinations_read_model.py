"""One read model of a shipment's destinations: the API and the dashboard agree on a disabled connection."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from parcelsync.db.crypto import CredentialCipher, generate_key
from parcelsync.db.engine import make_sessionmaker, unit_of_work
from parcelsync.db.queries.merchants import create_merchant
from parcelsync.db.tables import ShipmentRow
from parcelsync.domain.provider import Provider
from parcelsync.ingest.connections import save_connection
from parcelsync.ingest.demo import s10_number
from parcelsync.ingest.service import upsert_shipments
from parcelsync.sync.state import destinations_for
from parcelsync.web.search import destination_states

pytestmark = pytest.mark.anyio
CREDS = {"merchant_no": "500000123", "app_id": "shop.example", "api_key": "UseePay_SK_x"}


@pytest.fixture
async def sessions(engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    factory = make_sessionmaker(engine)
    async with unit_of_work(factory) as session:
        await create_merchant(session, "Acme", "acme")
        await upsert_shipments(session, "acme", [{"tracking_number": s10_number(7), "payment_intent_id": "pi_7"}])
    yield factory


async def test_a_disabled_connection_is_skipped_in_the_api_and_the_dashboard(sessions) -> None:  # type: ignore[no-untyped-def]
    cipher = CredentialCipher(generate_key())
    async with unit_of_work(sessions) as session:
        await save_connection(session, cipher, "acme", Provider.USEEPAY, credentials=CREDS)
    async with sessions() as session:
        row = await session.scalar(select(ShipmentRow))
        assert row is not None
        api = await destinations_for(session, row)
        page = {d.provider: d for d in await destination_states(session, row)}
    assert api[Provider.USEEPAY.value]["state"] == "pending" and api[Provider.USEEPAY.value]["target_key"] == "pi_7"
    assert page[Provider.USEEPAY.value].state == "pending" and page[Provider.USEEPAY.value].target_key == "pi_7"
    assert set(page) == {Provider.USEEPAY.value}  # the dashboard lists the merchant's connections only

    async with unit_of_work(sessions) as session:
        await save_connection(session, cipher, "acme", Provider.USEEPAY, enabled=False, merge=True)
    async with sessions() as session:
        row = await session.scalar(select(ShipmentRow))
        assert row is not None
        api = await destinations_for(session, row)
        page = {d.provider: d for d in await destination_states(session, row)}
    assert api[Provider.USEEPAY.value] == {"state": "skipped", "reason": "no connection"}
    shown = page[Provider.USEEPAY.value]
    assert (shown.state, shown.reason, shown.target_key, shown.target) == ("skipped", "no connection", None, None)
