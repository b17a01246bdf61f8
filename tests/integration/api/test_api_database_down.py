"""While the database is unreachable the API answers 503 (retry later), never 500, and /healthz stays up."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.exc import DBAPIError

from parcelsync.api.app import create_app
from parcelsync.api.errors import database_unavailable, install_error_handlers
from parcelsync.db.crypto import generate_key
from parcelsync.settings import Settings

pytestmark = pytest.mark.anyio

# Nothing listens on port 1 of the loopback: every connection attempt is refused at once.
UNREACHABLE = "postgresql+asyncpg://postgres@127.0.0.1:1/test"


@pytest.fixture
async def client():  # type: ignore[no-untyped-def]
    app = create_app(Settings(database_url=UNREACHABLE, secret_key=generate_key(), auto_migrate=False))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        yield c


@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        ("GET", "/v1/shipments", {}),
        ("POST", "/v1/shipments", {}),
        ("POST", "/v1/shipments", {"Idempotency-Key": "k-1"}),
        ("GET", "/readyz", {}),
    ],
)
async def test_database_down_is_503(client: httpx.AsyncClient, method: str, path: str, headers: dict[str, str]) -> None:
    auth = {"Authorization": "Bearer pst_whatever", **headers}
    body = {"tracking_number": "1Z5R89390357567127"} if method == "POST" else None
    response = await client.request(method, path, headers=auth, json=body)
    assert response.status_code == 503
    if path.startswith("/v1"):
        assert response.json()["error"]["code"] == "unavailable"
        assert response.headers["Retry-After"] == "5"


async def test_liveness_does_not_need_the_database(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).status_code == 200


def _app_raising(error: Exception) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/boom")
    async def boom() -> None:
        raise error

    return app


@pytest.mark.parametrize(("invalidated", "status"), [(True, 503), (False, 500)])
async def test_connection_closed_mid_query_is_503(invalidated: bool, status: int) -> None:
    """PostgreSQL restarting closes open connections: asyncpg's error arrives as a bare DBAPIError (chaos run)."""
    error = DBAPIError("SELECT 1", None, Exception("connection was closed in the middle of operation"),
                       connection_invalidated=invalidated)
    transport = httpx.ASGITransport(app=_app_raising(error), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        response = await c.get("/boom")
    assert response.status_code == status
    if invalidated:
        assert response.headers["Retry-After"] == "5"


class _AdaptedError(Exception):
    """Stands in for SQLAlchemy's asyncpg adapter error, which carries the server's SQLSTATE."""

    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


@pytest.mark.parametrize(
    ("sqlstate", "unavailable"),
    [
        ("57P01", True),  # admin_shutdown: the server is restarting
        ("57P03", True),  # cannot_connect_now: still starting up
        ("08006", True),  # connection_failure
        ("53300", True),  # too_many_connections
        ("42P01", False),  # undefined_table: a bug, not an outage
        ("23505", False),  # unique_violation
    ],
)
def test_sqlstate_decides_whether_the_database_is_unavailable(sqlstate: str, unavailable: bool) -> None:
    exc = DBAPIError("SELECT 1", {}, _AdaptedError(sqlstate))
    assert database_unavailable(exc) is unavailable


def test_an_invalidated_connection_is_unavailable() -> None:
    assert database_unavailable(DBAPIError("SELECT 1", {}, _AdaptedError("XX000"), connection_invalidated=True))
