from __future__ import annotations

import pytest

from parcelsync.domain.status import DeliveryStatus
from parcelsync.providers.trackingmore.status import SUBSTATUS_DESCRIPTIONS, map_status


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("pending", DeliveryStatus.PENDING),
        ("notfound", DeliveryStatus.PENDING),
        ("transit", DeliveryStatus.IN_TRANSIT),
        ("pickup", DeliveryStatus.OUT_FOR_DELIVERY),
        ("delivered", DeliveryStatus.DELIVERED),
        ("undelivered", DeliveryStatus.FAILED_ATTEMPT),
        ("exception", DeliveryStatus.EXCEPTION),
        ("expired", DeliveryStatus.EXPIRED),
        ("Delivered ", DeliveryStatus.DELIVERED),
    ],
)
def test_every_documented_status_maps(status: str, expected: DeliveryStatus) -> None:
    assert map_status(status) is expected


def test_pickup_point_substatus_refines_to_available_for_pickup() -> None:
    assert map_status("pickup", "pickup002") is DeliveryStatus.AVAILABLE_FOR_PICKUP
    assert map_status("pickup", "pickup001") is DeliveryStatus.OUT_FOR_DELIVERY


def test_unrecognised_status_is_unknown_and_missing_is_pending() -> None:
    assert map_status("teleported") is DeliveryStatus.UNKNOWN
    assert map_status("teleported", "transit999") is DeliveryStatus.UNKNOWN
    assert map_status(None) is DeliveryStatus.PENDING
    assert map_status("") is DeliveryStatus.PENDING


def test_numeric_status_echoed_by_put_is_understood() -> None:
    assert map_status("7") is DeliveryStatus.EXCEPTION
    assert map_status(4) is DeliveryStatus.DELIVERED
    assert map_status("8") is DeliveryStatus.UNKNOWN


def test_every_substatus_prefix_is_a_known_status() -> None:
    for substatus in SUBSTATUS_DESCRIPTIONS:
        status = substatus.rstrip("0123456789")
        assert map_status(status, substatus) is not DeliveryStatus.UNKNOWN
