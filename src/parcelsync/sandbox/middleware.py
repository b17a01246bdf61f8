"""ASGI middleware that records every request and applies the configured faults around a sandbox app."""

from __future__ import annotations

import asyncio
import time

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from parcelsync.sandbox.faults import FaultInjector, ResetKind
from parcelsync.sandbox.recorder import RequestLog
from parcelsync.sandbox.sockets import drop_of

ADMIN_PREFIX = "/_sandbox"


async def _drop(scope: Scope, *, hard: bool) -> None:
    """Close the client's connection, then yield once so the server sees it gone before the app returns."""
    drop_of(scope)(hard)
    await asyncio.sleep(0.01)


class SandboxMiddleware:
    """Wraps a provider emulator: admin routes (`/_sandbox/...`) are neither faulted nor recorded."""

    def __init__(self, app: ASGIApp, *, faults: FaultInjector, log: RequestLog) -> None:
        self.app = app
        self.faults = faults
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or ADMIN_PREFIX in scope.get("path", ""):
            await self.app(scope, receive, send)
            return
        started = time.monotonic()
        chunks: list[bytes] = []
        more = True
        while more:
            message = await receive()
            chunks.append(message.get("body", b""))
            more = message.get("more_body", False)
        raw = b"".join(chunks)
        path = scope.get("path", "")
        query = scope.get("query_string", b"").decode("latin-1")

        async def replay() -> Message:
            return {"type": "http.request", "body": raw, "more_body": False}

        fault = await self.faults.before(Request(scope, replay))
        if fault is not None:
            self.log.record(scope["method"], path, query, fault.status_code, raw, started)
            await fault(scope, replay, send)
            return

        status = 500
        pending_start: Message | None = None
        body_parts: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status, pending_start
            if message["type"] == "http.response.start":
                status = message["status"]
                pending_start = message
                return
            if message["type"] == "http.response.body":
                body_parts.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                body = b"".join(body_parts)
                if status < 400:
                    body = self.faults.after(body)
                assert pending_start is not None
                headers = [
                    (k, str(len(body)).encode()) if k.lower() == b"content-length" else (k, v)
                    for k, v in pending_start.get("headers", [])
                ]
                reset = self.faults.connection_fault()
                if reset is ResetKind.BEFORE_ANSWER:
                    await _drop(scope, hard=True)
                    return
                await send({**pending_start, "headers": headers})
                if reset is ResetKind.MID_BODY:
                    await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True})
                    await _drop(scope, hard=False)
                    return
                await send({"type": "http.response.body", "body": body, "more_body": False})
                return
            await send(message)

        try:
            await self.app(scope, replay, capture)
        finally:
            self.log.record(scope["method"], path, query, status, raw, started)
