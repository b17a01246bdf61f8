from __future__ import annotations

import pytest

from parcelsync.domain.carriers import Carrier, CarrierCodes, CarrierRegistry
from parcelsync.domain.provider import Provider


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def registry() -> CarrierRegistry:
    return CarrierRegistry(
        (
            Carrier("ups", "UPS", "https://www.ups.com/track?tracknum={number}", ("united parcel",)),
            Carrier("4px", "4PX"),
        ),
        {Provider.USEEPAY: CarrierCodes({"ups": "ups", "4px": "4px"}, "others")},
    )
