"""Validation of an upload-trackers request, as the real API does it: request-level 400s, per-tracker rejects."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from parcelsync.sandbox.useepay.errors import (
    FIELD_REQUIRED,
    INVALID_ARGUMENT,
    INVALID_REQUEST_ERROR,
    RESOURCE_NOT_FOUND,
    bad_request,
)

MAX_TRACKERS = 20


@dataclass(frozen=True, slots=True)
class UploadRequest:
    """A request that passed the request-level checks; trackers are still raw JSON objects."""

    meta_data: dict[str, Any] | None
    trackers: list[dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Problem:
    """Why one tracker is rejected: a v2 error code, the offending field, a human reason."""

    code: str
    source: str
    reason: str


def parse_upload(raw: bytes, content_type: str | None) -> UploadRequest:
    """Parse and check the body as a whole; any failure is a 400 with `{code, source, message}`."""
    if content_type and "json" not in content_type.lower():
        raise bad_request(INVALID_REQUEST_ERROR, "Content-Type", "Content-Type must be application/json")
    try:
        body = json.loads(raw) if raw else None
    except (ValueError, RecursionError):
        raise bad_request(INVALID_REQUEST_ERROR, "body", "The request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise bad_request(INVALID_REQUEST_ERROR, "body", "The request body must be a JSON object")
    meta_data = body.get("meta_data")
    if meta_data is not None and not isinstance(meta_data, dict):
        raise bad_request(INVALID_ARGUMENT, "meta_data", "meta_data must be an object")
    trackers = body.get("trackers")
    if trackers is None:
        raise bad_request(FIELD_REQUIRED, "trackers", "trackers is required")
    if not isinstance(trackers, list):
        raise bad_request(INVALID_ARGUMENT, "trackers", "trackers must be an array")
    if not 1 <= len(trackers) <= MAX_TRACKERS:
        raise bad_request(
            INVALID_ARGUMENT, "trackers", f"trackers must contain between 1 and {MAX_TRACKERS} items"
        )
    for index, tracker in enumerate(trackers):
        if not isinstance(tracker, dict):
            raise bad_request(INVALID_ARGUMENT, f"trackers[{index}]", "each tracker must be an object")
    return UploadRequest(meta_data, trackers)


def _is_http_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return False
    return parts.scheme in {"http", "https"} and bool(parts.netloc) and not any(c.isspace() for c in value)


def _text_problem(value: Any, source: str) -> Problem | None:
    if value is None:
        return Problem(FIELD_REQUIRED, source, f"{source} is required")
    if not isinstance(value, str):
        return Problem(INVALID_ARGUMENT, source, f"{source} must be a string")
    if not value.strip():
        return Problem(INVALID_ARGUMENT, source, f"{source} must not be empty")
    return None


def _shipment_problem(shipment: Any, source: str) -> Problem | None:
    if not isinstance(shipment, dict):
        return Problem(INVALID_ARGUMENT, source, f"{source} must be an object")
    for name in ("carrier", "tracking_number"):
        problem = _text_problem(shipment.get(name), f"{source}.{name}")
        if problem:
            return problem
    url = shipment.get("tracking_url")
    if url is not None and not (isinstance(url, str) and _is_http_url(url)):
        return Problem(INVALID_ARGUMENT, f"{source}.tracking_url", "tracking_url must be an http or https URL")
    return None


def check_tracker(tracker: dict[str, Any], knows_intent: Callable[[str], bool]) -> Problem | None:
    """Why this tracker must be rejected, or None. Fields first, then whether the intent exists.

    Unconfirmed: `tracking_url` may be absent or null (the seed always sends it); when sent it must
    be an http(s) URL. Carrier names are not checked against a list (UseePay's is not public).
    """
    intent = tracker.get("payment_intent_id")
    problem = _text_problem(intent, "payment_intent_id")
    if problem:
        return problem
    assert isinstance(intent, str)  # _text_problem found no problem: it is text
    shipments = tracker.get("shipments")
    if shipments is None:
        return Problem(FIELD_REQUIRED, "shipments", "shipments is required")
    if not isinstance(shipments, list) or not shipments:
        return Problem(INVALID_ARGUMENT, "shipments", "shipments must contain at least one shipment")
    for index, shipment in enumerate(shipments):
        problem = _shipment_problem(shipment, f"shipments[{index}]")
        if problem:
            return problem
    if not knows_intent(intent):
        return Problem(RESOURCE_NOT_FOUND, "payment_intent_id", f"No such payment_intent: '{intent}'")
    return None


def normalised_shipments(tracker: dict[str, Any]) -> list[dict[str, Any]]:
    """The shipments of a valid tracker with only the documented fields (tracking_url when given)."""
    result = []
    for s in tracker["shipments"]:
        item = {"carrier": s["carrier"], "tracking_number": s["tracking_number"]}
        if s.get("tracking_url") is not None:
            item["tracking_url"] = s["tracking_url"]
        result.append(item)
    return result


def rejected_entry(tracker: dict[str, Any], problem: Problem) -> dict[str, Any]:
    """A `data.rejected` item (unconfirmed shape): the tracker echoed plus `code`, `source` and `reason`."""
    shipments = tracker.get("shipments")
    return {
        "shipments": shipments if isinstance(shipments, list) else [],
        "payment_intent_id": tracker.get("payment_intent_id"),
        "code": problem.code,
        "source": problem.source,
        "reason": problem.reason,
    }
