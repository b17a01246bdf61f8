"""Idempotency-Key on POST routes, through the middleware and a real database."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI, HTTPException
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from parcelsync.api.idempotency import IdempotencyMiddleware
from parcelsync.db.base import utcnow
from parcelsync.db.engine import make_sessionmaker, unit_of_work
from parcelsync.db.tables import IdempotencyKeyRow
from parcelsync.security.idempotency import prune_idempotency_keys

pytestmark = pytest.mark.anyio
A = {"Authorization": "Bearer pst_token-of-a"}
B = {"Authorization": "Bearer pst_token-of-b"}


@pytest.fixture
async def client(engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    counter = itertools.count(1)
    sessions = make_sessionmaker(engine)
    app = FastAPI()

    @app.post("/v1/things", status_code=201)
    async def create(payload: dict[str, object]) -> dict[str, object]:
        return {"id": next(counter), "payload": payload}

    @app.post("/v1/flaky")
    async def flaky() -> dict[str, object]:
        n = next(counter)
        if n % 2:
            raise HTTPException(503, "try again")
        return {"id": n}

    @app.post("/v1/webhooks/x")
    async def hook() -> dict[str, object]:
        return {"id": next(counter)}

    app.add_middleware(IdempotencyMiddleware, sessions=lambda: sessions)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        yield c


def key(value: str, auth: dict[str, str] = A) -> dict[str, str]:
    return {**auth, "Idempotency-Key": value}


async def test_same_key_same_body_replays(client: httpx.AsyncClient) -> None:
    first = await client.post("/v1/things", json={"a": 1}, headers=key("k1"))
    again = await client.post("/v1/things", json={"a": 1}, headers=key("k1"))
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() == {"id": 1, "payload": {"a": 1}}
    assert again.headers["idempotent-replayed"] == "true"
    fresh = await client.post("/v1/things", json={"a": 1}, headers=key("k2"))
    assert fresh.json()["id"] == 2


async def test_same_key_different_body_is_409(client: httpx.AsyncClient) -> None:
    await client.post("/v1/things", json={"a": 1}, headers=key("k1"))
    clash = await client.post("/v1/things", json={"a": 2}, headers=key("k1"))
    assert clash.status_code == 409 and "different request" in clash.json()["error"]["message"]


async def test_keys_are_scoped_to_the_token(client: httpx.AsyncClient) -> None:
    mine = await client.post("/v1/things", json={"a": 1}, headers=key("shared"))
    theirs = await client.post("/v1/things", json={"a": 1}, headers=key("shared", B))
    assert mine.json()["id"] == 1 and theirs.json()["id"] == 2
    assert "idempotent-replayed" not in theirs.headers


async def test_failures_are_not_stored(client: httpx.AsyncClient) -> None:
    failed = await client.post("/v1/flaky", headers=key("k"))
    retried = await client.post("/v1/flaky", headers=key("k"))
    replayed = await client.post("/v1/flaky", headers=key("k"))
    assert failed.status_code == 503
    assert retried.status_code == 200 and replayed.json() == retried.json() == {"id": 2}


async def test_without_key_or_on_webhooks_nothing_is_stored(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    ids = [(await client.post("/v1/things", json={}, headers=A)).json()["id"] for _ in range(2)]
    hooks = [(await client.post("/v1/webhooks/x", headers=key("k"))).json()["id"] for _ in range(2)]
    assert ids == [1, 2] and hooks == [3, 4]
    async with unit_of_work(make_sessionmaker(engine)) as session:
        assert (await session.execute(select(func.count()).select_from(IdempotencyKeyRow))).scalar_one() == 0


async def test_bad_key_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/things", json={}, headers=key("x" * 201))
    assert response.status_code == 400


async def test_in_progress_key_is_409(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    first = await client.post("/v1/things", json={"a": 1}, headers=key("k"))
    async with unit_of_work(make_sessionmaker(engine)) as session:
        await session.execute(update(IdempotencyKeyRow).values(status_code=0))
    busy = await client.post("/v1/things", json={"a": 1}, headers=key("k"))
    assert first.status_code == 201 and busy.status_code == 409 and "in progress" in busy.json()["error"]["message"]


async def test_expired_keys_run_again_and_prune(client: httpx.AsyncClient, engine: AsyncEngine) -> None:
    await client.post("/v1/things", json={"a": 1}, headers=key("k"))
    sessions = make_sessionmaker(engine)
    async with unit_of_work(sessions) as session:
        await session.execute(update(IdempotencyKeyRow).values(created_at=utcnow() - timedelta(days=2)))
    again = await client.post("/v1/things", json={"a": 1}, headers=key("k"))
    assert again.json()["id"] == 2 and "idempotent-replayed" not in again.headers
    await client.post("/v1/things", json={"a": 1}, headers=key("old"))
    async with unit_of_work(sessions) as session:
        old = update(IdempotencyKeyRow).where(IdempotencyKeyRow.key == "old")
        await session.execute(old.values(created_at=utcnow() - timedelta(days=3)))
    async with unit_of_work(sessions) as session:
        assert await prune_idempotency_keys(session, older_than=utcnow() - timedelta(days=1)) == 1
        assert (await session.execute(select(IdempotencyKeyRow.key))).scalars().all() == ["k"]
