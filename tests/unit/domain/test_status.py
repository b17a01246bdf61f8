from parcelsync.domain.status import DeliveryStatus


def test_parse_unknown_value_is_unknown() -> None:
    assert DeliveryStatus.parse("teleported") is DeliveryStatus.UNKNOWN
    assert DeliveryStatus.parse(" Delivered ") is DeliveryStatus.DELIVERED
    assert DeliveryStatus.parse(None) is DeliveryStatus.PENDING
