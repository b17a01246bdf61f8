"""Field rules from PayPal's schemas (v1 `tracker`, Orders v2 `order_tracker_request`), as issue details.

Each check returns the `details[]` entries PayPal would send (issue, description, field as a JSON
pointer, value, location); an empty list means the object is valid.
"""

from __future__ import annotations

import re
from typing import Any

from parcelsync.sandbox.paypal.carriers import CARRIERS, OTHER
from parcelsync.sandbox.paypal.errors import detail

V1_STATUSES = frozenset({
    "CANCELLED", "DELIVERED", "LOCAL_PICKUP", "ON_HOLD", "SHIPPED", "SHIPMENT_CREATED", "DROPPED_OFF",
    "IN_TRANSIT", "RETURNED", "LABEL_PRINTED", "ERROR", "UNCONFIRMED", "PICKUP_FAILED", "DELIVERY_DELAYED",
    "DELIVERY_SCHEDULED", "DELIVERY_FAILED", "INRETURN", "IN_PROCESS", "NEW", "VOID", "PROCESSED",
    "NOT_SHIPPED", "COMPLETED",
})
TRACKING_NUMBER_TYPES = frozenset({"CARRIER_PROVIDED", "E2E_PARTNER_PROVIDED"})
UPC_TYPES = frozenset({"UPC-A", "UPC-B", "UPC-C", "UPC-D", "UPC-E", "UPC-2", "UPC-5"})
ALNUM = re.compile(r"^[a-zA-Z0-9]*$")
ORDER_ID = re.compile(r"^[A-Z0-9]+$")
DATE = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])$")
QUANTITY = re.compile(r"^[1-9][0-9]{0,9}$")
UPC_CODE = re.compile(r"^[0-9]{6,17}$")
# "supports only ASCII characters and does not allow URL, phone number, or email formats"
_URL = re.compile(r"^(https?://|www\.)", re.I)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# A phone shape: international `+` form, or the separated (555) 555-5555 form; bare digit runs are
# ordinary tracking numbers (USPS, FedEx) and stay valid.
_PHONE = re.compile(r"^(\+[0-9][0-9 ()\-.]{6,}[0-9]|\(?[0-9]{3}\)?[ .\-][0-9]{3}[ .\-][0-9]{4})$")
TRACKING_NUMBER_MAX = 64
CARRIER_NAME_OTHER_MAX = 64
ID_MAX = 50


def _string(value: Any, pointer: str, *, required: bool, max_len: int | None = None,
            pattern: re.Pattern[str] | None = None, min_len: int = 1) -> list[dict[str, Any]]:
    if value is None:
        return [detail("MISSING_REQUIRED_PARAMETER", "A required field / parameter is missing.", pointer)] \
            if required else []
    if not isinstance(value, str):
        return [detail("INVALID_PARAMETER_SYNTAX", "The value of a field does not conform to the expected "
                       "format.", pointer, value)]
    if len(value) < min_len or (max_len is not None and len(value) > max_len):
        return [detail("INVALID_STRING_LENGTH", "The value of a field is either too short or too long.",
                       pointer, value)]
    if pattern is not None and not pattern.match(value):
        return [detail("INVALID_PARAMETER_SYNTAX", "The value of a field does not conform to the expected "
                       "format.", pointer, value)]
    return []


def _enum(value: Any, allowed: frozenset[str], pointer: str, *, required: bool) -> list[dict[str, Any]]:
    if value is None:
        return _string(value, pointer, required=required)
    if not isinstance(value, str) or value not in allowed:
        return [detail("INVALID_PARAMETER_VALUE", "The value of a field is invalid.", pointer, value)]
    return []


def check_tracking_number(value: Any, pointer: str, *, required: bool) -> list[dict[str, Any]]:
    problems = _string(value, pointer, required=required, max_len=TRACKING_NUMBER_MAX)
    if problems or value is None:
        return problems
    if not value.isascii() or _URL.match(value) or _EMAIL.match(value) or _PHONE.match(value):
        return [detail("INVALID_PARAMETER_VALUE", "Tracking number supports only ASCII characters and does not "
                       "allow URL, phone number, or email formats.", pointer, value)]
    return []


def check_carrier(body: dict[str, Any], prefix: str, *, required: bool) -> list[dict[str, Any]]:
    carrier = body.get("carrier")
    if carrier is None and required:
        return [detail("MISSING_REQUIRED_PARAMETER", "Carrier is required when a tracking number is provided.",
                       f"{prefix}/carrier")]
    problems = _enum(carrier, CARRIERS, f"{prefix}/carrier", required=False)
    other = body.get("carrier_name_other")
    problems += _string(other, f"{prefix}/carrier_name_other", required=carrier == OTHER,
                        max_len=CARRIER_NAME_OTHER_MAX)
    return problems


def check_v1_tracker(item: Any, prefix: str) -> list[dict[str, Any]]:
    """One v1 `tracker` object (batch item or PUT body)."""
    if not isinstance(item, dict):
        return [detail("INVALID_PARAMETER_SYNTAX", "The value of a field does not conform to the expected format.",
                       prefix or "/")]
    problems = _string(item.get("transaction_id"), f"{prefix}/transaction_id", required=True, max_len=ID_MAX,
                       pattern=ALNUM)
    problems += check_tracking_number(item.get("tracking_number"), f"{prefix}/tracking_number", required=False)
    problems += _enum(item.get("tracking_number_type"), TRACKING_NUMBER_TYPES, f"{prefix}/tracking_number_type",
                      required=False)
    problems += _enum(item.get("status"), V1_STATUSES, f"{prefix}/status", required=True)
    problems += _string(item.get("shipment_date"), f"{prefix}/shipment_date", required=False, max_len=10,
                        pattern=DATE, min_len=10)
    problems += check_carrier(item, prefix, required=item.get("tracking_number") is not None)
    for flag in ("notify_buyer", "tracking_number_validated"):
        if flag in item and not isinstance(item[flag], bool):
            problems.append(detail("INVALID_PARAMETER_SYNTAX", "The value of a field does not conform to the "
                                   "expected format.", f"{prefix}/{flag}", item[flag]))
    if "quantity" in item and (not isinstance(item["quantity"], int) or isinstance(item["quantity"], bool)
                               or item["quantity"] < 1):
        problems.append(detail("INVALID_PARAMETER_VALUE", "The value of a field is invalid.", f"{prefix}/quantity",
                               item["quantity"]))
    return problems


def check_items(items: Any, prefix: str) -> list[dict[str, Any]]:
    if items is None:
        return []
    if not isinstance(items, list):
        return [detail("INVALID_PARAMETER_SYNTAX", "The value of a field does not conform to the expected format.",
                       prefix)]
    problems: list[dict[str, Any]] = []
    for i, item in enumerate(items):
        at = f"{prefix}/{i}"
        if not isinstance(item, dict):
            problems.append(detail("INVALID_PARAMETER_SYNTAX", "The value of a field does not conform to the "
                                   "expected format.", at))
            continue
        problems += _string(item.get("name"), f"{at}/name", required=False, max_len=127)
        problems += _string(item.get("sku"), f"{at}/sku", required=False, max_len=127)
        problems += _string(item.get("quantity"), f"{at}/quantity", required=False, max_len=10, pattern=QUANTITY)
        problems += _string(item.get("url"), f"{at}/url", required=False, max_len=2048)
        problems += _string(item.get("image_url"), f"{at}/image_url", required=False, max_len=2048,
                            pattern=re.compile(r"^https?://"))
        upc = item.get("upc")
        if upc is not None:
            if not isinstance(upc, dict):
                problems.append(detail("INVALID_PARAMETER_SYNTAX", "The value of a field does not conform to the "
                                       "expected format.", f"{at}/upc"))
            else:
                problems += _enum(upc.get("type"), UPC_TYPES, f"{at}/upc/type", required=True)
                problems += _string(upc.get("code"), f"{at}/upc/code", required=True, max_len=17, pattern=UPC_CODE)
    return problems


def check_order_track(body: Any) -> list[dict[str, Any]]:
    """The Orders v2 `POST .../track` body."""
    if not isinstance(body, dict):
        return [detail("MALFORMED_REQUEST_JSON", "The request JSON is not well formed.")]
    problems = _string(body.get("capture_id"), "/capture_id", required=True, max_len=ID_MAX, pattern=ALNUM)
    problems += check_tracking_number(body.get("tracking_number"), "/tracking_number", required=False)
    problems += check_carrier(body, "", required=body.get("tracking_number") is not None)
    if "notify_payer" in body and not isinstance(body["notify_payer"], bool):
        problems.append(detail("INVALID_PARAMETER_SYNTAX", "The value of a field does not conform to the expected "
                               "format.", "/notify_payer", body["notify_payer"]))
    problems += check_items(body.get("items"), "/items")
    return problems
