"""TrackingMore v2's real envelope, meta codes and messages, and the HTTP status each comes with.

Quota and "no content" codes (4019, 4021, 4031, 4032) arrive with HTTP 200, as the real service
sends them: callers must read `meta.code`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.responses import JSONResponse

META: Mapping[int, tuple[str, str]] = {
    200: ("Success", "Success"),
    201: ("Created", "The request was successful and a resource was created."),
    202: ("Bad Request", "The request was successful but exceeding the limit."),
    401: ("Unauthorized", "Authentication failed or user does not have permissions for the requested operation."),
    4001: ("Unauthorized", "Invalid API key."),
    4002: ("Unauthorized", "API key has been deleted."),
    4012: ("Bad Request", "The request could not be understood or was missing required parameters."),
    4013: ("Bad Request", "Tracking_number is required."),
    4014: ("Bad Request", "The value of `tracking_number` is invalid."),
    4015: ("Bad Request", "The value of `carrier_code` is invalid."),
    4016: ("Bad Request", "Tracking already exists."),
    4017: ("Bad Request", "Tracking does not exist."),
    4018: ("Bad Request", "Due to overload risks this feature requires custom activation."),
    4019: ("Bad Request", "Your balance is insufficient, please recharge in time"),
    4020: ("Bad Request", "Up to 40 at a time"),
    4021: ("Bad Request", "Remaining quota is deficient, or the 7-day free trial has expired."),
    4031: ("No Content", "The request was successful but the response is empty."),
    4032: ("No Content", "Cannot detect courier."),
    4033: ("No Content", "The value of `package status` is invalid."),
    404: ("Not Found", "Resource was not found."),
    405: ("Method Not Allowed", "Requested method is not supported for the specified resource."),
    429: ("Too Many Requests", "Exceeded API limits. Pause requests, wait two minutes, and try again."),
    500: ("Server error", "Server error"),
    503: ("Service Unavailable", "The service is temporary unavailable"),
    504: ("Gateway Timeout", "gateway timeout"),
}

HTTP_STATUS: Mapping[int, int] = {
    401: 401, 4001: 401, 4002: 401, 4018: 401,
    4019: 200, 4021: 200, 4031: 200, 4032: 200,
    404: 404, 405: 405, 429: 429, 500: 500, 503: 503, 504: 504,
}


def meta(code: int, message: str | None = None) -> dict[str, Any]:
    kind, default = META.get(code, ("Bad Request", "Bad Request"))
    return {"code": code, "type": kind, "message": message or default}


def envelope(code: int = 200, data: Any = None, message: str | None = None) -> dict[str, Any]:
    """`{meta, data}` as every v2 answer is shaped."""
    return {"meta": meta(code, message), "data": data if data is not None else []}


def http_status_for(code: int) -> int:
    if code in (200, 201, 202):
        return 200
    return HTTP_STATUS.get(code, 400)


def error_response(code: int, message: str | None = None, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse(envelope(code, None, message), status_code=http_status_for(code), headers=dict(headers or {}))


def fault_body(status: int, message: str) -> dict[str, Any]:
    """Error body for injected faults (the shared FaultInjector passes the HTTP status)."""
    return envelope(status, None, META.get(status, ("", message))[1] or message)


class TrackingMoreError(Exception):
    """Raised by sandbox handlers; rendered as the meta envelope with the matching HTTP status."""

    def __init__(self, code: int, message: str | None = None) -> None:
        super().__init__(message or META.get(code, ("", str(code)))[1])
        self.code = code
        self.message = message
