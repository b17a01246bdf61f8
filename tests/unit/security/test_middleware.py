"""Request ids, on a tiny FastAPI app."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI, Request

from parcelsync.logging import configure_logging
from parcelsync.security.middleware import RequestIdMiddleware

pytestmark = pytest.mark.anyio


def make_app() -> FastAPI:
    app = FastAPI()

    @app.post("/echo")
    async def echo(request: Request) -> dict[str, object]:
        body = await request.body()
        return {"size": len(body), "request_id": request.state.request_id}

    app.add_middleware(RequestIdMiddleware)
    return app


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=make_app()), base_url="http://t") as c:
        yield c


async def test_request_id_is_generated_echoed_and_logged(client: httpx.AsyncClient) -> None:
    out = io.StringIO()
    configure_logging(fmt="json", stream=out)
    try:
        response = await client.post("/echo", content=b"{}")
        given = await client.post("/echo", content=b"{}", headers={"X-Request-ID": "abc-123"})
        hostile = await client.post("/echo", content=b"{}", headers={"X-Request-ID": "bad id\twith spaces"})
    finally:
        configure_logging(fmt="json")
    generated = response.headers["x-request-id"]
    assert len(generated) == 32 and response.json()["request_id"] == generated
    assert given.headers["x-request-id"] == "abc-123" and given.json()["request_id"] == "abc-123"
    assert hostile.headers["x-request-id"] != "bad id\twith spaces"
    logged = [json.loads(line) for line in out.getvalue().splitlines()]
    access = [line for line in logged if line["event"] == "request"]
    assert [line["request_id"] for line in access] == [generated, "abc-123", hostile.headers["x-request-id"]]
    assert all(line["status"] == 200 and line["path"] == "/echo" for line in access)
