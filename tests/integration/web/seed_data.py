"""Dashboard fixtures: two merchants, their connections, demo shipments and every kind of sync state.

Shared by the httpx route tests and the browser tests (which load this file by path).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from parcelsync.db.crypto import CredentialCipher
from parcelsync.db.queries.merchants import create_merchant
from parcelsync.db.tables import AuditRow, CheckpointRow, ConnectionRow, ShipmentRow, SyncTargetRow
from parcelsync.domain.provider import Provider
from parcelsync.ingest.connections import save_connection
from parcelsync.ingest.demo import demo_shipments
from parcelsync.ingest.service import upsert_shipments

MERCHANT = "m_1_northwind"
OTHER = "m_2_harbor"
SECRET_API_KEY = "UseePay_SK_live_supersecret_9f3a"
PARKED_REASON = "unknown payment intent"
DEAD_REASON = "quota exhausted"


@dataclass(frozen=True)
class Seeded:
    """Handles the tests use: one shipment with everything, its parked UseePay target, counts."""

    shipment_id: int
    tracking_number: str
    order_id: str
    payment_intent_id: str
    customer_email: str
    parked_target_id: int
    parked_count: int
    dead_count: int
    total: int


def default_credentials() -> dict[Provider, dict[str, str]]:
    return {
        Provider.USEEPAY: {"merchant_no": "500000000000001", "app_id": "parcelsync.test", "api_key": SECRET_API_KEY},
        Provider.SHOPLINE: {"handle": "northwind", "access_token": "shpat_secret_token_abcd"},
        Provider.TRACKINGMORE: {"api_key": "tm-secret-key-1234", "account_email": "ops@northwind.example"},
    }


async def seed(
    session: AsyncSession,
    cipher: CredentialCipher,
    *,
    base_urls: dict[Provider, str] | None = None,
    credentials: dict[Provider, dict[str, str]] | None = None,
    count: int = 60,
) -> Seeded:
    await create_merchant(session, "Northwind Goods", MERCHANT)
    await create_merchant(session, "Blue Harbor Outfitters", OTHER)
    creds = credentials or default_credentials()
    for provider in creds:
        url = (base_urls or {}).get(provider, f"http://127.0.0.1:9/{provider.value}")
        await save_connection(session, cipher, MERCHANT, provider, base_url=url, credentials=creds[provider])
    items = demo_shipments(count)
    results = await upsert_shipments(session, MERCHANT, items, source="test")
    await upsert_shipments(session, OTHER, demo_shipments(5, seed=7), source="test")
    ids = [r.id for r in results if r.id is not None]
    rows = {r.id: r for r in (await session.scalars(select(ShipmentRow).where(ShipmentRow.id.in_(ids)))).all()}
    now = datetime.now(UTC)

    # Delivered parcels get a delivery time from their ship date, so the charts have data.
    for n, row in enumerate(rows.values()):
        if row.status == "delivered" and row.ship_date is not None:
            shipped = datetime.combine(row.ship_date, datetime.min.time(), tzinfo=UTC)
            row.delivered_at = min(now - timedelta(hours=1), shipped + timedelta(days=2 + n % 9))

    hero = next(r for r in rows.values() if r.payment_intent_id and r.order_id and r.fulfillment_id)
    hero.status, hero.last_event = "in_transit", "Departed from the sorting centre"
    for i, (text, place) in enumerate(
        [("Shipment information received", "Shenzhen, CN"), ("Departed from the sorting centre", "Shenzhen, CN")]
    ):
        session.add(
            CheckpointRow(shipment_id=hero.id, time=now - timedelta(days=3 - i), description=text, location=place)
        )

    # Problems: parked UseePay targets (the hero's among them), a dead TrackingMore target.
    intents = [r.payment_intent_id for r in rows.values() if r.payment_intent_id][:3]
    await session.execute(
        update(SyncTargetRow)
        .where(SyncTargetRow.merchant_id == MERCHANT, SyncTargetRow.provider == "useepay")
        .where(SyncTargetRow.target_key.in_([hero.payment_intent_id, *intents]))
        .values(state="parked", reason=PARKED_REASON, attempts=1, last_attempt_at=now - timedelta(hours=2),
                last_outcome={"code": "rejected", "message": "payment intent not found", "api_key": SECRET_API_KEY})
    )  # fmt: skip
    dead_key = f"{hero.carrier}/{hero.tracking_number}"
    await session.execute(
        update(SyncTargetRow)
        .where(SyncTargetRow.merchant_id == MERCHANT, SyncTargetRow.provider == "trackingmore")
        .where(SyncTargetRow.target_key == dead_key)
        .values(state="dead", reason=DEAD_REASON, attempts=12)
    )
    await session.execute(
        update(SyncTargetRow)
        .where(
            SyncTargetRow.merchant_id == MERCHANT,
            SyncTargetRow.provider == "shopline",
            SyncTargetRow.state == "pending",
        )
        .values(state="synced", acked_version=SyncTargetRow.desired_version, synced_at=now - timedelta(minutes=5))
    )
    session.add(
        AuditRow(
            at=now - timedelta(hours=2),
            merchant_id=MERCHANT,
            provider="useepay",
            method="POST",
            path="/api/v2/shipping/trackers",
            status=200,
            latency_ms=84.0,
            target_keys=[hero.payment_intent_id],
            request_summary={"trackers": 1, "headers": {"x-api-key": SECRET_API_KEY}},
            response_summary={"code": "0000", "rejected": [{"payment_intent_id": hero.payment_intent_id}]},
        )
    )
    await session.execute(
        update(ConnectionRow)
        .where(ConnectionRow.merchant_id == MERCHANT, ConnectionRow.provider == "trackingmore")
        .values(paused_until=now + timedelta(minutes=30), pause_reason="rate limited (429): retry after 120 s")
    )
    await session.flush()
    parked = await session.scalar(
        select(SyncTargetRow.id).where(
            SyncTargetRow.merchant_id == MERCHANT,
            SyncTargetRow.provider == "useepay",
            SyncTargetRow.target_key == hero.payment_intent_id,
        )
    )
    parked_count = len({hero.payment_intent_id, *intents})
    assert parked is not None and hero.order_id and hero.payment_intent_id and hero.customer_email
    return Seeded(
        shipment_id=hero.id,
        tracking_number=hero.tracking_number,
        order_id=hero.order_id,
        payment_intent_id=hero.payment_intent_id,
        customer_email=hero.customer_email,
        parked_target_id=parked,
        parked_count=parked_count,
        dead_count=1,
        total=len(rows),
    )
