"""Connections are encrypted at rest and plan existing shipments; carrier overrides re-plan their carrier."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from parcelsync.connectors.carriers import default_registry
from parcelsync.db.crypto import CredentialCipher, generate_key
from parcelsync.db.engine import make_sessionmaker, unit_of_work
from parcelsync.db.queries import carrier_overrides, connections
from parcelsync.db.queries.merchants import create_merchant
from parcelsync.db.tables import ConnectionRow, SyncTargetRow
from parcelsync.domain.provider import Provider
from parcelsync.ingest import carrier_overrides as override_use_case
from parcelsync.ingest import connections as uc
from parcelsync.ingest.demo import s10_number
from parcelsync.ingest.service import upsert_shipments

pytestmark = pytest.mark.anyio
SECRET = "UseePay_SK_live_0123456789abcdef"
CREDS = {"merchant_no": "500000123", "app_id": "shop.example", "api_key": SECRET}


@pytest.fixture
async def sessions(engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    factory = make_sessionmaker(engine)
    async with unit_of_work(factory) as session:
        await create_merchant(session, "Acme", "acme")
        items = [{"tracking_number": s10_number(i), "payment_intent_id": f"pi_{i}"} for i in range(3)]
        items.append({"tracking_number": "1Z5R89390357567127", "payment_intent_id": "pi_ups"})
        await upsert_shipments(session, "acme", items)
    yield factory


async def targets(sessions: async_sessionmaker[AsyncSession]) -> dict[tuple[str, str], int]:
    async with sessions() as session:
        rows = await session.execute(
            select(SyncTargetRow.provider, SyncTargetRow.target_key, SyncTargetRow.desired_version)
        )
        return {(p, k): v for p, k, v in rows}


async def test_credentials_are_encrypted_at_rest_and_masked_in_views(sessions) -> None:  # type: ignore[no-untyped-def]
    cipher = CredentialCipher(generate_key())
    async with unit_of_work(sessions) as session:
        row, created = await uc.save_connection(session, cipher, "acme", Provider.USEEPAY, credentials=CREDS)
        view = connections.view(row, cipher, public=("merchant_no",))
    assert created
    assert view.base_url == "https://openapi.useepay.com"
    assert SECRET not in repr(view) and view.credentials["api_key"] == "••••cdef"
    assert view.credentials["merchant_no"] == "500000123" and view.credentials["app_id"] == "••••"
    async with sessions() as session:
        stored = await session.scalar(select(ConnectionRow.credentials_enc))
        loaded = await connections.load_connection(session, cipher, "acme", Provider.USEEPAY)
    assert stored and SECRET not in stored and "500000123" not in stored
    assert loaded is not None and loaded.credentials == CREDS
    assert SECRET not in repr(loaded)


async def test_default_base_urls() -> None:
    assert uc.default_base_url(Provider.SHOPLINE, {"handle": "acme"}) == "https://acme.myshopline.com"
    assert uc.default_base_url(Provider.TRACKINGMORE, {}) == "https://api.trackingmore.com/v2"


async def test_creating_and_re_enabling_a_connection_plans_existing_shipments(sessions) -> None:  # type: ignore[no-untyped-def]
    cipher = CredentialCipher(generate_key())
    async with unit_of_work(sessions) as session:
        await uc.save_connection(session, cipher, "acme", Provider.USEEPAY, credentials=CREDS)
    assert await targets(sessions) == {("useepay", f"pi_{i}"): 1 for i in (0, 1, 2)} | {("useepay", "pi_ups"): 1}
    async with unit_of_work(sessions) as session:
        await uc.save_connection(session, cipher, "acme", Provider.USEEPAY, enabled=False, merge=True)
        await uc.save_connection(session, cipher, "acme", Provider.USEEPAY, options={"x": 1}, merge=True)
    assert set((await targets(sessions)).values()) == {1}
    async with unit_of_work(sessions) as session:
        await uc.save_connection(session, cipher, "acme", Provider.USEEPAY, enabled=True, merge=True)
    assert set((await targets(sessions)).values()) == {2}


async def test_patch_merges_credentials_and_put_replaces_them(sessions) -> None:  # type: ignore[no-untyped-def]
    cipher = CredentialCipher(generate_key())
    async with unit_of_work(sessions) as session:
        await uc.save_connection(session, cipher, "acme", Provider.USEEPAY, credentials=CREDS)
        await uc.save_connection(
            session, cipher, "acme", Provider.USEEPAY, credentials={"api_key": "UseePay_SK_new_key"}, merge=True
        )
        merged = await connections.load_connection(session, cipher, "acme", Provider.USEEPAY)
    assert merged is not None and merged.credentials == {**CREDS, "api_key": "UseePay_SK_new_key"}


async def test_a_carrier_override_re_plans_that_carriers_shipments_only(sessions) -> None:  # type: ignore[no-untyped-def]
    cipher = CredentialCipher(generate_key())
    async with unit_of_work(sessions) as session:
        await uc.save_connection(session, cipher, "acme", Provider.USEEPAY, credentials=CREDS)
        changed = await override_use_case.set_override(session, "acme", Provider.USEEPAY, "UPS", "UPS Mail Innovations")
    assert changed.resent == 1
    versions = await targets(sessions)
    assert versions[("useepay", "pi_ups")] == 2
    assert versions[("useepay", "pi_0")] == 1
    async with sessions() as session:
        registry = await carrier_overrides.registry_for(session, "acme", default_registry())
    assert registry.code_for(Provider.USEEPAY, "ups") == "UPS Mail Innovations"
    async with unit_of_work(sessions) as session:
        assert await override_use_case.delete_override(session, "acme", Provider.USEEPAY, "ups") == 1
        assert await override_use_case.delete_override(session, "acme", Provider.USEEPAY, "ups") is None
    assert (await targets(sessions))[("useepay", "pi_ups")] == 3
