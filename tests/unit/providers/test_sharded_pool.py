"""The worker's HTTP transport: several small pools behind one, each request on the least busy, against a real
socket (a tiny HTTP/1.1 server on loopback), and httpx's own pool whenever a proxy is configured."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from parcelsync.providers.http import ShardedPool, default_client, worker_transport

pytestmark = pytest.mark.anyio


@pytest.fixture
async def server() -> AsyncIterator[str]:
    """Answers every request with `ok` after a short pause, keeping the connection alive."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while await reader.readuntil(b"\r\n\r\n"):
                await asyncio.sleep(0.02)
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    listening = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        listening.close()
        await listening.wait_closed()


async def test_concurrent_requests_spread_over_the_shards_and_all_come_back(server: str) -> None:
    pool = ShardedPool(shards=4)
    async with default_client(transport=pool) as client:
        answers = await asyncio.gather(*(client.get(f"{server}/{i}") for i in range(40)))
        assert [a.text for a in answers] == ["ok"] * 40
        assert pool.busy == [0, 0, 0, 0]  # every body read and closed: nothing counted as in flight
        used = [len(p._pool.connections) for p in pool.pools]  # the shards' own httpcore pools
        assert all(n > 0 for n in used) and sum(used) <= 40


async def test_a_failed_request_is_not_left_counted_as_busy() -> None:
    pool = ShardedPool(shards=2)
    async with default_client(transport=pool) as client:
        with pytest.raises(httpx.ConnectError):
            await client.get("http://127.0.0.1:9/")  # the discard port: refused
    assert pool.busy == [0, 0]


async def test_a_streamed_body_frees_its_shard_when_closed(server: str) -> None:
    pool = ShardedPool(shards=2)
    async with default_client(transport=pool) as client:
        async with client.stream("GET", f"{server}/stream") as response:
            assert sum(pool.busy) == 1
            assert await response.aread() == b"ok"
        assert pool.busy == [0, 0]


def test_with_a_proxy_in_the_environment_the_worker_keeps_httpx_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    assert isinstance(worker_transport(), ShardedPool)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    assert worker_transport() is None
