"""`create_app(provider=...)` and `parcelsync sandbox --provider`: one sandbox at the root of its port."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.acceptance.processes import PARCELSYNC, free_port, start, stop

from parcelsync.sandbox.server import Sandboxes, SandboxProvider, create_app
from parcelsync.sandbox.shopline.models import DEMO_ACCESS_TOKEN

FIXTURES = Path(__file__).parents[2] / "fixtures"
USEEPAY_SEED = json.loads((FIXTURES / "useepay" / "seed_request.json").read_text())
SHOPLINE_BODY = json.loads((FIXTURES / "shopline" / "v20260301_request.json").read_text())
SHOPLINE_PATH = "/admin/openapi/v20260301/fulfillments/order_id/fulfillment_id/update_tracking.json"
SHOPLINE_HEADERS = {"Authorization": f"Bearer {DEMO_ACCESS_TOKEN}", "Content-Type": "application/json; charset=utf-8"}


def _client(app: Any, base_url: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)


@pytest.mark.anyio
async def test_useepay_alone_stands_where_its_host_does() -> None:
    sandboxes = Sandboxes()
    async with _client(create_app(sandboxes, provider="useepay"), "http://127.0.0.1:8101") as http:
        ok = await http.post(USEEPAY_SEED["path"], headers=USEEPAY_SEED["headers"], json=USEEPAY_SEED["body"])
        prefixed = await http.post("/useepay" + USEEPAY_SEED["path"], headers=USEEPAY_SEED["headers"],
                                   json=USEEPAY_SEED["body"])
        root = await http.get("/")
    assert ok.status_code == 200 and ok.json()["code"] == "0000"
    assert prefixed.status_code == 404 and set(prefixed.json()) == {"code", "source", "message"}
    assert root.status_code == 404 and set(root.json()) == {"code", "source", "message"}
    assert len(sandboxes.useepay.all_trackers()) == len(USEEPAY_SEED["body"]["trackers"])


@pytest.mark.anyio
async def test_shopline_alone_by_path_and_by_host() -> None:
    app = create_app(provider=SandboxProvider.SHOPLINE)
    async with _client(app, "http://127.0.0.1:8102") as http:
        by_path = await http.post("/openapiceshidianpu" + SHOPLINE_PATH, headers=SHOPLINE_HEADERS, json=SHOPLINE_BODY)
        root = await http.get("/")
    async with _client(app, "https://openapiceshidianpu.myshopline.com") as http:
        by_host = await http.post(SHOPLINE_PATH, headers=SHOPLINE_HEADERS, json=SHOPLINE_BODY)
    assert by_path.status_code == 200 and by_host.status_code == 200
    assert by_host.headers["traceId"]
    assert root.status_code == 404 and set(root.json()) == {"errors"}
    assert app.state.sandboxes.shopline.stores["openapiceshidianpu"].orders["order_id"]["fulfillment_id"].tracking


@pytest.mark.anyio
async def test_trackingmore_alone_serves_v2_at_the_root() -> None:
    async with _client(create_app(provider="trackingmore"), "http://127.0.0.1:8103") as http:
        ok = await http.get("/v2/trackings/getuserinfo", headers={"Trackingmore-Api-Key": "YOUR_API_KEY"})
        prefixed = await http.get("/trackingmore/v2/trackings/getuserinfo",
                                  headers={"Trackingmore-Api-Key": "YOUR_API_KEY"})
    assert ok.json()["meta"]["code"] == 200
    assert prefixed.status_code == 404 and prefixed.json()["meta"]["code"] == 404


@pytest.mark.anyio
async def test_combined_default_is_unchanged() -> None:
    async with _client(create_app(), "http://127.0.0.1:8100") as http:
        index = await http.get("/")
        ok = await http.post("/useepay" + USEEPAY_SEED["path"], headers=USEEPAY_SEED["headers"],
                             json=USEEPAY_SEED["body"])
    assert index.json()["useepay"] == "http://127.0.0.1:8100/useepay"
    assert ok.status_code == 200


def test_unknown_provider_is_refused() -> None:
    with pytest.raises(ValueError):
        create_app(provider="fedex")


def test_default_ports_and_base_urls() -> None:
    assert [p.default_port for p in SandboxProvider] == [8101, 8102, 8103, 8104, 8105]
    assert SandboxProvider.USEEPAY.base_url("http://h:1/") == "http://h:1"
    assert SandboxProvider.SHOPLINE.base_url("http://h:1") == "http://h:1/{handle}"
    assert SandboxProvider.TRACKINGMORE.base_url("http://h:1") == "http://h:1/v2"


@contextmanager
def _serve(*args: str, log: Path) -> Iterator[str]:
    """`parcelsync sandbox --port <free> *args` until the port accepts connections; yields the root URL."""
    port = free_port()
    process = start(["sandbox", "--port", str(port), *args], dict(os.environ), log)
    try:
        deadline = time.monotonic() + 90  # a loaded machine imports slowly
        while not _accepts(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"sandbox did not start: {log.read_text()[-2000:]}")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)


def _accepts(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def test_cli_provider_option_serves_useepay_at_the_root(tmp_path: Path) -> None:
    with _serve("--provider", "useepay", log=tmp_path / "sandbox.log") as root:
        ok = httpx.post(root + USEEPAY_SEED["path"], headers=USEEPAY_SEED["headers"], json=USEEPAY_SEED["body"])
        index = httpx.get(root + "/")
    assert ok.status_code == 200 and ok.json()["meta_data"] == USEEPAY_SEED["body"]["meta_data"]
    assert index.status_code == 404 and index.json()["code"] == "resource_not_found"
    assert f"useepay       {root}" in (tmp_path / "sandbox.log").read_text()


def test_cli_refuses_an_unknown_provider(tmp_path: Path) -> None:
    result = subprocess.run([*PARCELSYNC, "sandbox", "--provider", "fedex"], capture_output=True, timeout=60)
    assert result.returncode != 0
    assert b"fedex" in result.stdout + result.stderr
