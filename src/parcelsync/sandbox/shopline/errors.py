"""SHOPLINE's error shapes: every error is `{"errors": "<message>"}` with the HTTP status carrying the class."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

UNAUTHORIZED = "Unauthorized: the access token is missing or invalid"
TOKEN_EXPIRED = "Unauthorized: the access token has expired"
STORE_FROZEN = "Payment Required: the store is frozen"
STORE_LOCKED = "Locked: the store is locked"
TOO_MANY = "Too many request"
NOT_FOUND = "Not Found"


class ShoplineError(Exception):
    """An error answer: HTTP status plus the `errors` message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def error_body(status: int, message: str) -> dict[str, Any]:
    """The body SHOPLINE sends with an error status (also used by the shared fault injector)."""
    return {"errors": message}


def error_response(error: ShoplineError, trace_id: str) -> JSONResponse:
    body = error_body(error.status, error.message)
    return JSONResponse(body, status_code=error.status, headers={"traceId": trace_id})
