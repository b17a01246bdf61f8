"""Shared HTTP helpers for provider clients: the default client and the status-to-error mapping."""

from __future__ import annotations

import email.utils
import time
import urllib.request
from collections.abc import AsyncIterator
from urllib.parse import urljoin, urlsplit

import httpx

from parcelsync.providers.errors import (
    AuthError,
    NotFound,
    ProviderError,
    RateLimited,
    Redirected,
    Rejected,
    Retryable,
)

DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=20.0, write=20.0, pool=10.0)
DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=50)


def default_client(**kw: object) -> httpx.AsyncClient:
    """An AsyncClient with parcelsync's timeouts and connection limits."""
    kw.setdefault("timeout", DEFAULT_TIMEOUT)
    kw.setdefault("limits", DEFAULT_LIMITS)
    kw["follow_redirects"] = False
    return httpx.AsyncClient(**kw)  # type: ignore[arg-type]


def worker_transport() -> httpx.AsyncBaseTransport | None:
    """The sync worker's transport: a `ShardedPool`, unless the environment names an HTTP(S) proxy.

    A client given its own transport ignores `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY`; with one set, the
    worker keeps httpx's own pool (None), which honours them.
    """
    proxies = urllib.request.getproxies()
    return None if proxies.get("https") or proxies.get("http") else ShardedPool()


class _Released(httpx.AsyncByteStream):
    """A response body that tells its shard when it is closed (the connection is back in the pool)."""

    def __init__(self, stream: httpx.AsyncByteStream, done: ShardedPool, shard: int) -> None:
        self._stream = stream
        self._pool: ShardedPool | None = done
        self._shard = shard

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            if self._pool is not None:
                self._pool.busy[self._shard] -= 1
                self._pool = None


class ShardedPool(httpx.AsyncBaseTransport):
    """Several small connection pools behind one transport; each request goes to the least busy one.

    httpcore walks every pooled connection on each request and each response close (a socket poll per
    idle one), and once the pool holds more than `max_keepalive_connections` it closes idle connections
    as it goes, so a worker with ~100 calls in flight spent most of its HTTP CPU managing one big pool
    and reopening connections. Shards of a dozen connections keep those walks short; every shard keeps
    all its connections alive, and together they hold at most `limits.max_connections`.
    """

    def __init__(self, shards: int = 8, limits: httpx.Limits = DEFAULT_LIMITS) -> None:
        size = max(1, (limits.max_connections or 100) // shards)
        per_shard = httpx.Limits(
            max_connections=size, max_keepalive_connections=size, keepalive_expiry=limits.keepalive_expiry
        )
        self.pools = [httpx.AsyncHTTPTransport(limits=per_shard) for _ in range(shards)]
        self.busy = [0] * shards

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        shard = min(range(len(self.pools)), key=self.busy.__getitem__)
        self.busy[shard] += 1
        try:
            response = await self.pools[shard].handle_async_request(request)
        except BaseException:
            self.busy[shard] -= 1
            raise
        response.stream = _Released(response.stream, self, shard)  # type: ignore[arg-type]
        return response

    async def aclose(self) -> None:
        for pool in self.pools:
            await pool.aclose()


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date); None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def error_for_status(
    status: int,
    message: str,
    *,
    provider: str,
    code: str | None = None,
    field: str | None = None,
    retry_after: float | None = None,
    trace_id: str | None = None,
) -> ProviderError:
    """The generic HTTP status -> exception mapping; providers refine it for their own codes."""
    kw: dict[str, object] = {
        "provider": provider, "status_code": status, "code": code, "field": field, "trace_id": trace_id,
    }
    if status == 429:
        return RateLimited(message, retry_after=retry_after, **kw)
    if status in (401, 403):
        return AuthError(message, **kw)  # type: ignore[arg-type]
    if status == 404:
        return NotFound(message, **kw)  # type: ignore[arg-type]
    if status >= 500 or status in (408, 425):
        return Retryable(message, **kw)  # type: ignore[arg-type]
    return Rejected(message, **kw)  # type: ignore[arg-type]


def redirect_error(request: httpx.Request, response: httpx.Response, *, provider: str) -> Redirected:
    """A redirect as an error naming where it pointed (the host only: a path or query may carry a token)."""
    target = urlsplit(urljoin(str(request.url), response.headers.get("location", ""))).hostname or "?"
    return Redirected(
        f"redirected (HTTP {response.status_code}) to {target}; provider redirects are never followed: "
        "set the connection's base URL to the address that answers",
        provider=provider, status_code=response.status_code,
    )  # fmt: skip


async def send(client: httpx.AsyncClient, request: httpx.Request, *, provider: str) -> httpx.Response:
    """Send a request, never following a redirect (it is a `Redirected` error), and turning transport failures
    (timeouts, resets, refused) into `Retryable`."""
    try:
        response = await client.send(request, follow_redirects=False)
    except httpx.TimeoutException as exc:
        raise Retryable(f"timeout: {type(exc).__name__}", provider=provider) from None
    except httpx.TransportError as exc:
        raise Retryable(f"network error: {type(exc).__name__}", provider=provider) from None
    if response.is_redirect:
        await response.aclose()
        raise redirect_error(request, response, provider=provider)
    return response
