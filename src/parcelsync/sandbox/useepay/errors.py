"""UseePay v2's real error shape `{code, source, message}` and the codes its docs list."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

ALREADY_EXISTS = "already_exists"
FIELD_REQUIRED = "field_required"
INVALID_ARGUMENT = "invalid_argument"
INVALID_REQUEST_ERROR = "invalid_request_error"
RESOURCE_NOT_FOUND = "resource_not_found"
SERVICE_UNAVAILABLE = "service_unavailable"


class UseePayApiError(Exception):
    """An error answer: HTTP status plus the body `{code, source, message}`."""

    def __init__(self, status: int, code: str, source: str | None, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.source = source
        self.message = message

    def body(self) -> dict[str, Any]:
        return error_body(self.code, self.source, self.message)

    def response(self) -> JSONResponse:
        return JSONResponse(self.body(), status_code=self.status)


def error_body(code: str, source: str | None, message: str) -> dict[str, Any]:
    return {"code": code, "source": source, "message": message}


def fault_body(status: int, message: str) -> dict[str, Any]:
    """Body of an injected fault. Unconfirmed for 429 (rate limits are undocumented): the generic code."""
    code = SERVICE_UNAVAILABLE if status >= 500 else INVALID_REQUEST_ERROR
    return error_body(code, None, message)


def unauthorized(source: str, message: str, *, missing: bool = False) -> UseePayApiError:
    """401 for a missing or wrong credential header; never echoes the value that was sent."""
    return UseePayApiError(401, FIELD_REQUIRED if missing else INVALID_REQUEST_ERROR, source, message)


def bad_request(code: str, source: str | None, message: str) -> UseePayApiError:
    return UseePayApiError(400, code, source, message)
