"""AfterShip's envelope `{meta: {code, message, type}, data}` and the error codes its docs list."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

# meta.code -> (HTTP status, meta.type, message), from the "Request Errors" page.
CODES: dict[int, tuple[int, str, str]] = {
    200: (200, "OK", ""),
    201: (201, "Created", ""),
    400: (400, "BadRequest", "The request was invalid or cannot be otherwise served."),
    4001: (400, "BadRequest", "Invalid JSON data."),
    4003: (400, "BadRequest", "Tracking already exists."),
    4004: (404, "BadRequest", "Tracking does not exist."),
    4005: (400, "BadRequest", "The value of tracking_number is invalid."),
    4007: (400, "BadRequest", "tracking_number is required."),
    4008: (400, "BadRequest", "The value of {field} is invalid."),
    4009: (400, "BadRequest", "{field} is required."),
    4010: (400, "BadRequest", "The value of slug is invalid."),
    4011: (400, "BadRequest", "Missing or invalid value of the required fields for this courier. Besides "
                              "tracking_number, also required: {field}"),
    4012: (400, "BadRequest", "Unable to import shipment as we don't recognize the carrier from this tracking "
                              "number."),
    4013: (400, "BadRequest", "Retrack is not allowed. You can only retrack an inactive tracking."),
    4015: (400, "BadRequest", "The value of id is invalid."),
    4016: (400, "BadRequest", "Retrack is not allowed. You can only retrack each shipment once."),
    4017: (400, "BadRequest", "The format of tracking_number is invalid."),
    401: (401, "Unauthorized", "Invalid API key."),
    403: (403, "Forbidden", "The request is understood, but it has been refused or access is not allowed."),
    404: (404, "NotFound", "The URI requested is invalid or the resource requested does not exist."),
    405: (405, "MethodNotAllowed", "The request method is not allowed for the URI."),
    429: (429, "TooManyRequests", "You have exceeded the API call rate limit."),
    500: (500, "InternalError", "Something went wrong on AfterShip's end."),
    502: (502, "InternalError", "Something went wrong on AfterShip's end."),
    503: (503, "InternalError", "Something went wrong on AfterShip's end."),
    504: (504, "InternalError", "Something went wrong on AfterShip's end."),
}


def meta(code: int, message: str | None = None, field: str | None = None) -> dict[str, Any]:
    _, kind, default = CODES.get(code, CODES[500] if code >= 500 else CODES[400])
    text = message if message is not None else default.format(field=field or "field")
    return {"code": code, "message": text, "type": kind}


def http_status(code: int) -> int:
    return CODES.get(code, (500 if code >= 500 else 400, "", ""))[0]


def envelope(code: int, data: Any = None, message: str | None = None, field: str | None = None) -> dict[str, Any]:
    return {"meta": meta(code, message, field), "data": data if data is not None else {}}


class AfterShipError(Exception):
    """An error answer: meta.code decides the HTTP status."""

    def __init__(self, code: int, message: str | None = None, *, field: str | None = None,
                 data: Any = None) -> None:
        super().__init__(message or str(code))
        self.code = code
        self.message = message
        self.field = field
        self.data = data

    def response(self, headers: dict[str, str] | None = None) -> JSONResponse:
        return JSONResponse(envelope(self.code, self.data, self.message, self.field),
                            status_code=http_status(self.code), headers=headers)


def fault_body(status: int, message: str) -> dict[str, Any]:
    return envelope(status)
