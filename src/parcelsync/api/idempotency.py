"""The Idempotency-Key middleware for POST routes (storage and rules in security/idempotency.py)."""

from __future__ import annotations

import re
from collections.abc import Callable

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from parcelsync.api.errors import DATABASE_UNAVAILABLE, database_unavailable, error_response, unavailable_response
from parcelsync.security.idempotency import (
    DEFAULT_TTL_S,
    IdempotencyStore,
    Outcome,
    caller_scope,
    fingerprint,
    should_store,
)

HEADER = "idempotency-key"
_VALID_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")


class IdempotencyMiddleware:
    """Apply Idempotency-Key to authenticated POSTs under `prefix` (webhooks are excluded)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        sessions: Callable[[], async_sessionmaker[AsyncSession]],
        ttl_s: float = DEFAULT_TTL_S,
        prefix: str = "/v1/",
        exclude: tuple[str, ...] = ("/v1/webhooks/",),
    ) -> None:
        self.app = app
        self._sessions = sessions
        self._ttl_s = ttl_s
        self._prefix = prefix
        self._exclude = exclude

    def _applies(self, scope: Scope, headers: Headers) -> bool:
        path: str = scope.get("path", "")
        return (
            scope["type"] == "http"
            and scope.get("method") == "POST"
            and HEADER in headers
            and "authorization" in headers
            and path.startswith(self._prefix)
            and not path.startswith(self._exclude)
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan and websocket scopes carry no headers
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if not self._applies(scope, headers):
            await self.app(scope, receive, send)
            return
        key = headers[HEADER]
        if not _VALID_KEY.match(key):
            await error_response(400, "Idempotency-Key must be 1-200 printable ASCII characters")(scope, receive, send)
            return
        try:
            messages, body = await _read_body(receive)
        except HTTPException as exc:  # the body limit below us refused the upload
            await error_response(exc.status_code, str(exc.detail))(scope, receive, send)
            return
        store = IdempotencyStore(self._sessions(), ttl_s=self._ttl_s)
        owner = caller_scope(headers["authorization"])
        path = scope["path"]
        body_hash = fingerprint("POST", path, scope.get("query_string", b""), body)
        try:
            claim = await store.claim(owner, key, "POST", path, body_hash)
        except (*DATABASE_UNAVAILABLE, DBAPIError) as exc:
            if not database_unavailable(exc):
                raise
            await unavailable_response()(scope, receive, send)
            return
        if claim.outcome is Outcome.MISMATCH:
            await error_response(409, "Idempotency-Key was already used with a different request")(scope, receive, send)
            return
        if claim.outcome is Outcome.IN_PROGRESS:
            await error_response(409, "a request with this Idempotency-Key is still in progress")(scope, receive, send)
            return
        if claim.outcome is Outcome.REPLAY:
            await _send_stored(send, claim.status_code, claim.body)
            return
        await self._run(scope, messages, send, store, owner, key)

    async def _run(
        self, scope: Scope, messages: list[Message], send: Send, store: IdempotencyStore, owner: str, key: str
    ) -> None:
        pending = list(messages)

        async def replay_receive() -> Message:
            return pending.pop(0) if pending else {"type": "http.disconnect"}

        status = 0
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, replay_receive, capture)
        except BaseException:
            await store.release(owner, key)
            raise
        text = _decode(b"".join(chunks))
        if should_store(status) and text is not None:
            await store.finish(owner, key, status, text)
        else:
            await store.release(owner, key)


async def _read_body(receive: Receive) -> tuple[list[Message], bytes]:
    body = bytearray()
    messages: list[Message] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            break
        body += message.get("body", b"")
        if not message.get("more_body", False):
            break
    return messages, bytes(body)


def _decode(body: bytes) -> str | None:
    try:
        return body.decode()
    except UnicodeDecodeError:
        return None


async def _send_stored(send: Send, status: int, body: str) -> None:
    payload = body.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
                (b"idempotent-replayed", b"true"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
