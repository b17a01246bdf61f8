"""The connection-reset fault of every sandbox, on a real socket: reset before the answer, or closed mid-body.

The request is handled before the connection drops (the provider did the work, the client never
learns it), and the hub's HTTP layer reads either kind of drop as a retryable network error.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from tests.acceptance.processes import free_port

from parcelsync.providers.errors import Retryable
from parcelsync.providers.http import send
from parcelsync.sandbox.server import Sandboxes, SandboxUrls, create_app
from parcelsync.sandbox.sockets import with_socket_control

# (admin root, a provider call that needs no seeding: each answers with its own 4xx when not reset)
CASES = {
    "useepay": ("/useepay", "GET", "/useepay/api/v2/shipping/trackers/pi_unknown"),
    "shopline": ("/shopline", "PUT", "/shopline/demo/admin/openapi/v20260301/fulfillments/1/2/update_tracking.json"),
    "trackingmore": ("/trackingmore", "GET", "/trackingmore/v2/trackings/get"),
}


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, Sandboxes]]:
    sandboxes = Sandboxes()
    port = free_port()
    app = with_socket_control(create_app(sandboxes))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="critical"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "sandbox server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", sandboxes
    server.should_exit = True
    thread.join(10)


def _faults(root: str, admin: str, **settings: float) -> httpx.Response:
    with httpx.Client(base_url=root, timeout=10) as http:
        response = http.put(f"{admin}/_sandbox/faults", json=settings)
    assert response.status_code == 200, response.text
    return response


@pytest.mark.parametrize("provider", sorted(CASES))
def test_reset_before_the_answer(provider: str, served: tuple[str, Sandboxes]) -> None:
    root, _ = served
    admin, method, path = CASES[provider]
    assert _faults(root, admin, reset_rate=1.0).json()["reset_rate"] == 1.0
    try:
        with httpx.Client(base_url=root, timeout=10) as http, pytest.raises(httpx.TransportError):
            http.request(method, path, json={})
        with httpx.Client(base_url=root, timeout=10) as http:
            shown = http.get(f"{admin}/_sandbox/faults").json()
        assert shown["reset_rate"] == 1.0 and shown["reset_mid_body_rate"] == 0.0
    finally:
        _faults(root, admin)
    with httpx.Client(base_url=root, timeout=10) as http:
        assert 400 <= http.request(method, path, json={}).status_code < 500


@pytest.mark.parametrize("provider", sorted(CASES))
def test_closed_in_the_middle_of_the_body(provider: str, served: tuple[str, Sandboxes]) -> None:
    root, _ = served
    admin, method, path = CASES[provider]
    _faults(root, admin, reset_mid_body_rate=1.0)
    try:
        with httpx.Client(base_url=root, timeout=10) as http, pytest.raises(httpx.RemoteProtocolError):
            http.request(method, path, json={})
    finally:
        _faults(root, admin)


def test_the_work_is_done_and_the_hub_retries(served: tuple[str, Sandboxes]) -> None:
    root, sandboxes = served
    urls = SandboxUrls(root)
    _faults(root, "/useepay", reset_rate=1.0)
    before = len(sandboxes.useepay.log.items)
    resets = sandboxes.useepay.faults.injected.get("reset", 0)

    async def call() -> None:
        async with httpx.AsyncClient(timeout=10) as http:
            await send(http, http.build_request("GET", f"{urls.useepay}/api/v2/shipping/trackers/pi_x"), provider="p")

    try:
        with pytest.raises(Retryable, match="network error"):
            asyncio.run(call())
    finally:
        _faults(root, "/useepay")
    assert len(sandboxes.useepay.log.items) == before + 1  # handled and recorded, then the answer was lost
    assert sandboxes.useepay.faults.injected.get("reset") == resets + 1


def test_rates_are_validated(served: tuple[str, Sandboxes]) -> None:
    root, _ = served
    with httpx.Client(base_url=root, timeout=10) as http:
        for admin in ("/useepay", "/shopline", "/trackingmore"):
            assert http.put(f"{admin}/_sandbox/faults", json={"reset_rate": 1.5}).status_code in (400, 422)
