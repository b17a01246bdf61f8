"""PayPal's real error shapes: `{name, message, debug_id, details[], links[]}`, and OAuth's `{error, ...}`.

Names and HTTP statuses as PayPal's "REST API responses" page lists them (INVALID_REQUEST 400,
AUTHENTICATION_FAILURE 401, NOT_AUTHORIZED 403, RESOURCE_NOT_FOUND 404, UNPROCESSABLE_ENTITY 422,
RATE_LIMIT_REACHED 429, INTERNAL_SERVER_ERROR 500, SERVICE_UNAVAILABLE 503). `debug_id` is also sent
as the `Paypal-Debug-Id` header.
"""

from __future__ import annotations

import secrets
from typing import Any

from starlette.responses import JSONResponse

NAMES = {
    400: ("INVALID_REQUEST", "Request is not well-formed, syntactically incorrect, or violates schema."),
    401: ("AUTHENTICATION_FAILURE", "Authentication failed due to invalid authentication credentials or a "
          "missing Authorization header."),
    403: ("NOT_AUTHORIZED", "Authorization failed due to insufficient permissions."),
    404: ("RESOURCE_NOT_FOUND", "The specified resource does not exist."),
    405: ("METHOD_NOT_SUPPORTED", "The server does not implement the requested HTTP method."),
    415: ("UNSUPPORTED_MEDIA_TYPE", "The server does not support the request payload's media type."),
    422: ("UNPROCESSABLE_ENTITY", "The requested action could not be performed, semantically incorrect, or "
          "failed business validation."),
    429: ("RATE_LIMIT_REACHED", "Too many requests. Blocked due to rate limiting."),
    500: ("INTERNAL_SERVER_ERROR", "An internal server error has occurred."),
    503: ("SERVICE_UNAVAILABLE", "Service Unavailable."),
    504: ("SERVICE_UNAVAILABLE", "Service Unavailable."),
}


def new_debug_id() -> str:
    return secrets.token_hex(7)


def detail(issue: str, description: str, field: str | None = None, value: Any = None,
           location: str = "body") -> dict[str, Any]:
    out: dict[str, Any] = {"issue": issue, "description": description}
    if field is not None:
        out["field"] = field
        out["location"] = location
    if value is not None:
        out["value"] = value if isinstance(value, str) else str(value)
    return out


def error_body(status: int, details: list[dict[str, Any]] | None = None, *, debug_id: str | None = None,
               name: str | None = None, message: str | None = None) -> dict[str, Any]:
    default_name, default_message = NAMES.get(status, NAMES[500] if status >= 500 else NAMES[400])
    body: dict[str, Any] = {
        "name": name or default_name,
        "message": message or default_message,
        "debug_id": debug_id or new_debug_id(),
    }
    if details:
        body["details"] = details
    body["links"] = [{"href": "https://developer.paypal.com/api/rest/reference/orders/v2/errors/",
                      "rel": "information_link", "method": "GET"}]
    return body


class PayPalApiError(Exception):
    """An error answer in PayPal's shape."""

    def __init__(self, status: int, details: list[dict[str, Any]] | None = None, *, name: str | None = None,
                 message: str | None = None) -> None:
        super().__init__(message or name or str(status))
        self.status = status
        self.body = error_body(status, details, name=name, message=message)

    def response(self) -> JSONResponse:
        return JSONResponse(self.body, status_code=self.status, headers={"Paypal-Debug-Id": self.body["debug_id"]})


def fault_body(status: int, message: str) -> dict[str, Any]:
    """Body of an injected fault (429 / 5xx / timeout) in PayPal's shape."""
    return error_body(status)


def oauth_error(status: int, error: str, description: str) -> JSONResponse:
    """The token endpoint's own error shape (RFC 6749 section 5.2)."""
    return JSONResponse({"error": error, "error_description": description}, status_code=status)
