from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from parcelsync.connectors.carriers import default_registry
from parcelsync.domain.models import Shipment
from parcelsync.domain.status import DeliveryStatus
from parcelsync.providers.trackingmore.mapping import TrackingRegistration, build_registration, parse_tracking

FIXTURES = Path(__file__).parents[3] / "fixtures" / "trackingmore"


def test_build_registration_maps_carrier_and_optional_fields() -> None:
    shipment = Shipment(
        merchant_id="m1", tracking_number=" UG198768340YP ", carrier="Yanwen", order_id="#1001",
        title="Blue mug", customer_email="a@b.test", destination_country="us", ship_date=date(2024, 3, 1),
    )
    reg = build_registration(shipment, default_registry())
    assert reg.carrier_code == "yanwen"
    assert reg.payload() == {
        "tracking_number": "UG198768340YP", "carrier_code": "yanwen", "title": "Blue mug",
        "customer_email": "a@b.test", "order_id": "#1001", "destination_code": "US",
        "tracking_ship_date": "20240301",
    }


def test_unknown_carrier_uses_the_registry_fallback() -> None:
    shipment = Shipment(merchant_id="m1", tracking_number="ABC12345", carrier="Local Courier Ltd")
    assert build_registration(shipment, default_registry()).carrier_code == "other"


@pytest.mark.parametrize("bad", [{"tracking_number": " "}, {"carrier_code": ""}, {"tracking_ship_date": "2024-03-01"}])
def test_registration_rejects_bad_values(bad: dict[str, str]) -> None:
    values = {"tracking_number": "UG198768340YP", "carrier_code": "yanwen", **bad}
    with pytest.raises(ValueError):
        TrackingRegistration(**values)


def test_parse_tracking_reads_checkpoints_milestones_and_delivery() -> None:
    data = json.loads((FIXTURES / "tracking_delivered.json").read_text())
    update = parse_tracking(data)
    assert update.status is DeliveryStatus.DELIVERED
    assert update.substatus == "delivered003"
    assert update.raw_status == "delivered"
    assert len(update.checkpoints) == 7  # the airport scan appears on both sides and is kept once
    times = [c.time for c in update.checkpoints]
    assert times == sorted(times)
    assert update.checkpoints[0].description == "Shipment information received"
    assert update.checkpoints[-1].status is DeliveryStatus.DELIVERED
    assert update.checkpoints[-1].location == "Los Angeles, CA"
    assert update.delivered_at == datetime(2024, 3, 9, 10, 15, tzinfo=UTC)
    assert update.received_at == datetime(2024, 3, 1, 9, 30, tzinfo=UTC)
    assert update.customs_cleared_at == datetime(2024, 3, 6, 12, 0, tzinfo=UTC)
    assert update.destination_arrived_at == datetime(2024, 3, 8, 7, 0, tzinfo=UTC)
    assert update.last_event and update.last_event.startswith("Delivered")
    assert update.order_id == "#1001"


def test_parse_tracking_without_scans_is_pending() -> None:
    update = parse_tracking({"tracking_number": "X1234", "carrier_code": "ups", "status": "notfound"})
    assert update.status is DeliveryStatus.PENDING
    assert update.checkpoints == ()
    assert update.delivered_at is None and update.last_event is None
