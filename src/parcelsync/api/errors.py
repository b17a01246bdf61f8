"""One error shape for every 4xx: `{"error": {"code", "message", "fields": [{"field", "reason"}]}}`."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException as StarletteHTTPException

from parcelsync.api.methods import allowed_methods
from parcelsync.db.queries.shipments import CursorError
from parcelsync.ingest.errors import FieldError, InvalidInput, pydantic_field_errors
from parcelsync.ingest.service import ShipmentConflict

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "rate_limited",
    503: "unavailable",
}

# The database is down or unreachable: the request was not processed and may be retried as is.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError, PoolTimeoutError, ConnectionError, TimeoutError)
DATABASE_RETRY_AFTER_S = 5
# PostgreSQL SQLSTATE classes meaning "the server cannot serve you now": connection exceptions (08),
# operator intervention such as a shutdown or restart (57P), insufficient resources (53).
UNAVAILABLE_SQLSTATES = ("08", "57P", "53")


def database_unavailable(exc: BaseException) -> bool:
    """True when `exc` says the database is down, restarting or unreachable (not that the request was bad).

    A connection the server closed mid-query (PostgreSQL restarting) is a plain DBAPIError with
    connection_invalidated set; a shutdown or start-up carries its SQLSTATE. Any other driver error is a bug.
    """
    if isinstance(exc, DATABASE_UNAVAILABLE):
        return True
    if isinstance(exc, DBAPIError):
        if exc.connection_invalidated:
            return True
        state = str(getattr(exc.orig, "sqlstate", None) or "")
        return state.startswith(UNAVAILABLE_SQLSTATES)
    return False


def unavailable_response() -> JSONResponse:
    response = error_response(503, "the database is unavailable; nothing was changed, retry shortly")
    response.headers["Retry-After"] = str(DATABASE_RETRY_AFTER_S)
    return response


class ApiError(Exception):
    """An error the API answers with the shared JSON error body."""

    def __init__(
        self, status_code: int, message: str, *, code: str | None = None, fields: Sequence[FieldError] = ()
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code or _CODES.get(status_code, "error")
        self.message = message
        self.fields = tuple(fields)


def not_found(what: str) -> ApiError:
    return ApiError(404, f"{what} not found")


def error_body(code: str, message: str, fields: Sequence[FieldError] = ()) -> dict[str, object]:
    return {"error": {"code": code, "message": message, "fields": [f.as_dict() for f in fields]}}


def error_response(
    status_code: int, message: str, *, code: str | None = None, fields: Sequence[FieldError] = ()
) -> JSONResponse:
    return JSONResponse(
        error_body(code or _CODES.get(status_code, "error"), message, fields), status_code=status_code
    )


def _invalid(fields: Sequence[FieldError]) -> JSONResponse:
    names = ", ".join(dict.fromkeys(f.field for f in fields))
    return error_response(422, f"invalid input: {names}", fields=fields)


def _request_validation(errors: Sequence[dict[str, object]]) -> JSONResponse:
    fields: list[FieldError] = []
    for error in errors:
        if error.get("type") == "json_invalid":
            ctx = error.get("ctx")
            detail = ctx.get("error") if isinstance(ctx, dict) else None
            fields.append(FieldError("body", f"invalid JSON: {detail}" if detail else "invalid JSON"))
        else:
            fields.extend(pydantic_field_errors([error]))
    return _invalid(fields)


def install_error_handlers(app: FastAPI) -> None:
    """Map every expected failure onto the shared error body; nothing a client sends ends in a 500."""

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status_code, exc.message, code=exc.code, fields=exc.fields)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        return _request_validation(list(exc.errors()))

    @app.exception_handler(InvalidInput)
    async def _invalid_input(_: Request, exc: InvalidInput) -> JSONResponse:
        return _invalid(exc.errors)

    @app.exception_handler(CursorError)
    async def _cursor(_: Request, exc: CursorError) -> JSONResponse:
        return _invalid([FieldError("cursor", str(exc))])

    @app.exception_handler(ShipmentConflict)
    async def _conflict(_: Request, exc: ShipmentConflict) -> JSONResponse:
        return error_response(409, str(exc), fields=[FieldError(exc.field, str(exc))])

    @app.exception_handler(IntegrityError)
    async def _integrity(_: Request, __: IntegrityError) -> JSONResponse:
        return error_response(409, "a concurrent request wrote the same record; retry the request")

    for exc_class in (*DATABASE_UNAVAILABLE, DBAPIError):

        @app.exception_handler(exc_class)
        async def _unavailable(_: Request, exc: Exception) -> JSONResponse:
            if not database_unavailable(exc):
                raise exc  # a real bug: the server error middleware logs it and answers 500
            return unavailable_response()

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        message = exc.detail if isinstance(exc.detail, str) else _CODES.get(exc.status_code, "error")
        response = error_response(exc.status_code, message)
        if exc.headers:
            response.headers.update(exc.headers)
        if exc.status_code == 405:
            response.headers["Allow"] = ", ".join(allowed_methods(request.app, request.scope))
        return response
