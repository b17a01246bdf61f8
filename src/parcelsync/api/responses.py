"""What the OpenAPI says each route answers: its error statuses (with the one error body) and its security.

The statuses follow from what a route is, the same facts the app acts on: a route that needs a token
can answer 401 and 403 (api/auth.py); one that resolves the merchant, 400 (no X-Merchant-Id) and 404;
one with parameters or a body, 422 (and 400 for a body that is not JSON, 413 for one that is too
large); one that writes, 409 (a concurrent write, a reused Idempotency-Key); one that needs the
database, 503. `document` adds them to every operation of the generated schema, so a new route is
documented the moment it is added, and declares the bearer scheme on exactly the routes that need a
token (health, webhooks, the dashboard login and a public /metrics stay open).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, Field

from parcelsync.api.auth import OPEN_PREFIXES, needs_token

BEARER = "bearerAuth"
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
DESCRIPTIONS = {
    400: "Bad request: a missing X-Merchant-Id, a body that is not JSON, a malformed Idempotency-Key",
    401: "No API token, or an unknown or revoked one",
    403: "The token may not do this (read-only, or the route needs an admin token)",
    404: "Not found (also a merchant this token may not see)",
    409: "Conflict with the stored state, a concurrent write, or an Idempotency-Key reused",
    413: "The request body (or batch) is too large",
    422: "Invalid input; `fields` names each offending field",
    503: "The database is unavailable; nothing was changed, retry after `Retry-After` seconds",
}


class FieldErrorOut(BaseModel):
    field: str = Field(description="The offending field: a body path (`items.3.carrier`), parameter or header.")
    reason: str


class ErrorDetailOut(BaseModel):
    code: str = Field(description="Machine-readable: `not_found`, `invalid_request`, `unauthorized`, ...")
    message: str
    fields: list[FieldErrorOut]


class ErrorOut(BaseModel):
    """The one error body of every 4xx and 503."""

    error: ErrorDetailOut


ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}
DATABASE_FREE_PATHS = frozenset({"/healthz", "/readyz"})


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """`responses=` entries for these statuses, each with the shared error body (for a route's own use)."""
    return {status: {"model": ErrorOut, "description": DESCRIPTIONS.get(status, "Error")} for status in statuses}


def operation_statuses(path: str, method: str, operation: dict[str, Any], *, metrics_public: bool) -> set[int]:
    """The error statuses one operation can answer, from what it is (see the module docstring)."""
    params = operation.get("parameters") or []
    names = {(p.get("in"), str(p.get("name", "")).lower()) for p in params}
    statuses: set[int] = set()
    if path not in DATABASE_FREE_PATHS:
        statuses.add(503)
    if needs_token(path, metrics_public=metrics_public):
        statuses |= {401, 403}
    if ("header", "x-merchant-id") in names:
        statuses |= {400, 404}
    if any(p.get("in") == "path" for p in params):
        statuses |= {404, 422}
    if params:
        statuses.add(422)
    if "requestBody" in operation:
        statuses |= {400, 413, 422}
    if method.upper() in WRITE_METHODS:
        statuses.add(409)
    if method.upper() in BODY_METHODS:  # the body limit applies whether or not the body is declared
        statuses.add(413)
    if path.startswith(OPEN_PREFIXES):  # signed webhooks: the signature is the credential
        statuses.add(401)
    return statuses


def _error_schemas() -> dict[str, Any]:
    schema = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    defs = schema.pop("$defs", {})
    return {**defs, "ErrorOut": schema}


def document(schema: dict[str, Any], *, metrics_public: bool) -> dict[str, Any]:
    """Add to a generated schema: the error statuses of every operation with the one error body, and the
    bearer scheme on exactly the operations that need a token."""
    components = schema.setdefault("components", {})
    components.setdefault("schemas", {}).update(_error_schemas())
    for name in ("HTTPValidationError", "ValidationError"):
        components["schemas"].pop(name, None)
    components.setdefault("securitySchemes", {})[BEARER] = {
        "type": "http", "scheme": "bearer",
        "description": "An API token: `parcelsync tokens create` (`make demo` prints one).",
    }
    for path, operations in schema.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status in sorted(operation_statuses(path, method, operation, metrics_public=metrics_public)):
                entry = responses.setdefault(str(status), {"description": DESCRIPTIONS[status]})
                if entry.get("description") == "Validation Error":  # FastAPI's, for its own body
                    entry["description"] = DESCRIPTIONS[status]
                entry["content"] = {"application/json": {"schema": ERROR_REF}}
            if needs_token(path, metrics_public=metrics_public):
                operation["security"] = [{BEARER: []}]
    return schema


def install_openapi(app: FastAPI, *, metrics_public: bool) -> None:
    """Serve the documented schema (built once) at /openapi.json and in /docs."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            generated = get_openapi(
                title=app.title, version=app.version, summary=app.summary, description=app.description,
                routes=app.routes, servers=app.servers,
            )
            app.openapi_schema = document(generated, metrics_public=metrics_public)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
