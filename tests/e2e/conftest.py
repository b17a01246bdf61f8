"""Browser-test fixtures: the e2e server in a subprocess and Debian's chromium driven by Playwright.

Never downloads a browser: it uses /usr/bin/chromium and skips with a message when it is absent.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(__file__).parent / "screenshots"
STARTUP_S = 90.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) to run browser tests")
    return CHROMIUM


@contextlib.contextmanager
def _serve(tmp_path_factory: pytest.TempPathFactory, name: str, *args: str) -> Iterator[str]:
    """Start `tests.e2e.server` on a fresh SQLite file; yields its base URL, stops it afterwards."""
    port = _free_port()
    db = tmp_path_factory.mktemp(name) / "dashboard.db"
    log = (tmp_path_factory.getbasetemp() / f"{name}-server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.e2e.server", "--port", str(port), "--db", str(db), *args],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_S
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the e2e server exited with {proc.returncode}; see {log.name}")
            try:
                if httpx.get(f"{base}/dashboard/login", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the e2e server did not start within {STARTUP_S:.0f} s; see {log.name}")
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory, chromium_path: str) -> Iterator[str]:
    """The base URL of a freshly seeded dashboard server (stopped after the session)."""
    with _serve(tmp_path_factory, "e2e") as base:
        yield base


@dataclass(frozen=True)
class EmptyServer:
    """A server whose database is empty (no merchant), and the sandbox accounts a person would connect."""

    base: str
    sandbox_root: str
    connections: dict[str, dict[str, Any]]


@pytest.fixture(scope="session")
def empty_server(tmp_path_factory: pytest.TempPathFactory, chromium_path: str) -> Iterator[EmptyServer]:
    accounts = tmp_path_factory.mktemp("empty-accounts") / "accounts.json"
    with _serve(tmp_path_factory, "e2e-empty", "--empty", str(accounts)) as base:
        data = json.loads(accounts.read_text())
        yield EmptyServer(base, data["sandbox_root"], data["connections"])


@pytest.fixture(scope="module")
def browser(chromium_path: str):  # type: ignore[no-untyped-def]
    """Module-scoped on purpose: Playwright's sync API keeps an event loop running in this thread while it is
    open, which would break every later test that starts its own loop."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS
