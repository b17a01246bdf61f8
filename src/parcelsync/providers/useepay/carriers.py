"""UseePay `carrier` per canonical carrier (`domain/carrier_data.py`), declared by the connector.

Only `ups` and `others` are public (seed). The big four use their lowercase names (`ups`, `usps`,
`fedex`, `dhl`, DHL's other services included); every other carrier is sent as `others`.
"""

from __future__ import annotations

from collections.abc import Mapping

from parcelsync.domain.carriers import CarrierCodes

FALLBACK = "others"
"""UseePay's explicit carrier for every carrier it does not name."""

_CODES: Mapping[str, str] = {
    "ups": "ups", "usps": "usps", "fedex": "fedex", "dhl": "dhl", "dhl-ecommerce": "dhl", "dhl-paket": "dhl",
}

CARRIER_CODES = CarrierCodes(_CODES, FALLBACK)
