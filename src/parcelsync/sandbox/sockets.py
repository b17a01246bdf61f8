"""Connection resets for the sandboxes: close the client's socket before the answer or mid-body.

A sandbox app cannot reach its socket through ASGI, so `with_socket_control` wraps the app a
server runs (uvicorn): it finds the connection's transport behind the server's `send` and puts a
`drop` function into the scope. `drop(hard=True)` resets the connection (RST, nothing more is
sent); `drop(hard=False)` closes it after flushing what was written (the client sees a body cut
short). In process, with no socket (e.g. `httpx.ASGITransport`), `drop` raises
`ConnectionResetError` to the caller instead.
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

DROP_KEY = "parcelsync.sandbox.drop"

Drop = Callable[[bool], None]


def _transport_of(send: Send) -> Any:
    """The asyncio transport behind uvicorn's `send` (a bound method of its request cycle), or None."""
    owner = getattr(send, "__self__", None)
    transport = getattr(owner, "transport", None)
    return transport if transport is not None and hasattr(transport, "abort") else None


def _dropper(transport: Any) -> Drop:
    def drop(hard: bool) -> None:
        if hard:
            sock = transport.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            transport.abort()
        else:
            transport.close()

    return drop


def _no_socket(hard: bool) -> None:
    raise ConnectionResetError("sandbox: connection reset" if hard else "sandbox: connection closed mid-body")


def drop_of(scope: Scope) -> Drop:
    """The scope's `drop` function: the real socket's when served, else one that raises."""
    drop: Drop = scope.get(DROP_KEY, _no_socket)
    return drop


def with_socket_control(app: ASGIApp) -> ASGIApp:
    """Wrap the app a server runs so the sandbox's reset fault can close real sockets."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            transport = _transport_of(send)
            if transport is not None:
                scope = {**scope, DROP_KEY: _dropper(transport)}
        await app(scope, receive, send)

    return wrapped
