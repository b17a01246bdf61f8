"""ShardedPool's bookkeeping: the least busy shard, freed when the body closes or the request fails."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from parcelsync.providers.http import ShardedPool

pytestmark = pytest.mark.anyio


class _Body(httpx.AsyncByteStream):
    """A body read from the network, as a real transport gives it (not preloaded like `json=`)."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self.data


def _pool(shards: int) -> tuple[ShardedPool, list[list[str]]]:
    """A ShardedPool whose shards are mock transports recording the paths they served."""
    pool = ShardedPool(shards=shards)
    served: list[list[str]] = [[] for _ in range(shards)]

    def shard(i: int) -> httpx.MockTransport:
        def handler(request: httpx.Request) -> httpx.Response:
            served[i].append(request.url.path)
            return httpx.Response(200, stream=_Body(b'{"shard": %d}' % i))
        return httpx.MockTransport(handler)

    pool.pools = [shard(i) for i in range(shards)]  # type: ignore[list-item]
    return pool, served


def test_the_shards_together_hold_at_most_the_connection_limit() -> None:
    pool = ShardedPool(shards=8, limits=httpx.Limits(max_connections=100, max_keepalive_connections=50))
    assert len(pool.pools) == 8
    sizes = [p._pool._max_connections for p in pool.pools]
    assert sum(sizes) <= 100
    assert all(p._pool._max_keepalive_connections == p._pool._max_connections for p in pool.pools)


async def test_a_request_goes_to_the_least_busy_shard_and_frees_it_when_its_body_is_closed() -> None:
    pool, served = _pool(3)
    async with httpx.AsyncClient(transport=pool, base_url="http://provider.test") as client:
        assert (await client.get("/a")).json() == {"shard": 0}
        assert pool.busy == [0, 0, 0]
        async with client.stream("GET", "/held") as held:
            assert pool.busy == [1, 0, 0]
            assert (await client.get("/b")).json() == {"shard": 1}
            await held.aread()
        assert pool.busy == [0, 0, 0]
        assert (await client.get("/c")).json() == {"shard": 0}
    assert served == [["/a", "/held", "/c"], ["/b"], []]


async def test_a_failed_request_frees_its_shard() -> None:
    pool = ShardedPool(shards=2)

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    pool.pools = [httpx.MockTransport(refuse), httpx.MockTransport(refuse)]  # type: ignore[list-item]
    async with httpx.AsyncClient(transport=pool) as client:
        with pytest.raises(httpx.ConnectError):
            await client.get("http://provider.test/x")
    assert pool.busy == [0, 0]
