"""Request validation of the SHOPLINE sandbox: headers, JSON, and each version's update_tracking body.

Choices where the seeds are silent (a careful provider's behaviour):
- Content-Type must be a JSON media type (`application/json`, any parameters such as
  `charset=utf-8`); a missing or other Content-Type is a 400, like a body that is not JSON.
- v20260301: `tracking_info_list` sent as a single object (as in the seed's own example) is
  read as a one-entry list; when the list is absent, the deprecated `tracking_info` is used as
  a one-entry list; when both are absent the overwrite rule applies and the tracking is cleared.
- v20250601: `tracking_info.number` must be a non-empty string (a tracking update without a
  number means nothing); the entry replaces whatever the fulfillment held.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from parcelsync.sandbox.shopline.errors import ShoplineError
from parcelsync.sandbox.shopline.models import Tracking

MAX_TRACKING_INFO_LIST = 10


@dataclass(frozen=True, slots=True)
class TrackingUpdate:
    """A validated update: the fulfillment's new tracking list and whether to e-mail the buyer."""

    entries: tuple[Tracking, ...]
    notify_customer: bool


def _invalid(message: str) -> ShoplineError:
    return ShoplineError(422, message)


def check_content_type(value: str | None) -> None:
    media = (value or "").split(";", 1)[0].strip().lower()
    if media != "application/json":
        raise ShoplineError(400, "Content-Type must be application/json; charset=utf-8")


def parse_json_object(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise ShoplineError(400, "Bad Request: the request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise ShoplineError(400, "Bad Request: the request body must be a JSON object")
    return body


def _fulfillment(body: dict[str, Any]) -> dict[str, Any]:
    fulfillment = body.get("fulfillment")
    if not isinstance(fulfillment, dict):
        raise _invalid("fulfillment is required and must be an object")
    return fulfillment


def _optional_str(data: dict[str, Any], key: str, where: str) -> str | None:
    value = data.get(key)
    if value is not None and not isinstance(value, str):
        raise _invalid(f"{where}.{key} must be a string")
    return value


def _required_str(data: dict[str, Any], key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise _invalid(f"{where}.{key} is required")
    return value


def _tracking_info(info: Any, where: str) -> Tracking:
    """A `{company, number, url}` object (v20250601, and the deprecated v20260301 field)."""
    if not isinstance(info, dict):
        raise _invalid(f"{where} must be an object")
    return Tracking(_optional_str(info, "company", where), _required_str(info, "number", where),
                    _optional_str(info, "url", where))


def _tracking_list(items: Any) -> tuple[Tracking, ...]:
    where = "fulfillment.tracking_info_list"
    if isinstance(items, dict):
        items = [items]
    if not isinstance(items, list):
        raise _invalid(f"{where} must be an array")
    if len(items) > MAX_TRACKING_INFO_LIST:
        raise _invalid(f"{where} size must be at most {MAX_TRACKING_INFO_LIST}, got {len(items)}")
    entries = []
    for i, item in enumerate(items):
        at = f"{where}[{i}]"
        if not isinstance(item, dict):
            raise _invalid(f"{at} must be an object")
        entries.append(Tracking(_optional_str(item, "tracking_company", at), _required_str(item, "tracking_number", at),
                                _optional_str(item, "tracking_url", at)))
    return tuple(entries)


def update_v20250601(body: dict[str, Any]) -> TrackingUpdate:
    fulfillment = _fulfillment(body)
    if fulfillment.get("tracking_info") is None:
        raise _invalid("fulfillment.tracking_info is required")
    return TrackingUpdate((_tracking_info(fulfillment["tracking_info"], "fulfillment.tracking_info"),), False)


def update_v20260301(body: dict[str, Any]) -> TrackingUpdate:
    fulfillment = _fulfillment(body)
    notify = fulfillment.get("notify_customer")
    if notify is not None and not isinstance(notify, bool):
        raise _invalid("fulfillment.notify_customer must be a boolean")
    if fulfillment.get("tracking_info_list") is not None:
        entries = _tracking_list(fulfillment["tracking_info_list"])
    elif fulfillment.get("tracking_info") is not None:
        entries = (_tracking_info(fulfillment["tracking_info"], "fulfillment.tracking_info"),)
    else:
        entries = ()
    return TrackingUpdate(entries, bool(notify))
