from __future__ import annotations

import pytest

from parcelsync.domain.carriers import Carrier, CarrierRegistry


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def registry() -> CarrierRegistry:
    return CarrierRegistry(
        (
            Carrier(
                "ups", "UPS", "ups", "ups", "UPS", "https://www.ups.com/track?tracknum={number}", ("united parcel",)
            ),
            Carrier("4px", "4PX", "4px", "4px", "4PX"),
        )
    )
