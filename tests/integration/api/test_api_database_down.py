"""While the database is unreachable the API answers 503 (retry later), never 500, and /healthz stays up."""

from __future__ import annotations

import httpx
import pytest

from parcelsync.api.app import create_app
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
