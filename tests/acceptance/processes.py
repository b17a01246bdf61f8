"""Real processes for the acceptance tests: `parcelsync sandbox` and `parcelsync worker` on loopback ports."""

from __future__ import annotations

import itertools
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

PARCELSYNC = [str(Path(sys.executable).with_name("parcelsync"))]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def hub_env(database_url: str, secret_key: str, **settings: Any) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PARCELSYNC_")}
    env.update(
        PARCELSYNC_DATABASE_URL=database_url,
        PARCELSYNC_SECRET_KEY=secret_key,
        PARCELSYNC_AUTO_MIGRATE="false",
        PARCELSYNC_LOG_LEVEL="WARNING",
        PARCELSYNC_LOG_FORMAT="json",
    )
    env.update({f"PARCELSYNC_{k.upper()}": str(v) for k, v in settings.items()})
    return env


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen([*PARCELSYNC, *args], env=env, stdout=out, stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM, timeout: float = 20) -> int:
    if process.poll() is None:
        process.send_signal(sig)
    return process.wait(timeout=timeout)


@contextmanager
def sandbox_server(log: Path) -> Iterator[str]:
    """`parcelsync sandbox` on a free loopback port; yields its root URL."""
    port = free_port()
    process = start(["sandbox", "--port", str(port)], dict(os.environ), log)
    root = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90  # a loaded CI machine imports slowly
        while True:
            try:
                if httpx.get(root + "/", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"sandbox did not start: {log.read_text()[-2000:]}")
            time.sleep(0.1)
        yield root
    finally:
        stop(process)


def requests_of(root: str) -> dict[str, list[dict[str, Any]]]:
    """Every request each sandbox recorded, as dicts with method, path, body, started, finished."""
    useepay = httpx.get(f"{root}/useepay/_sandbox/requests", timeout=10).json()["requests"]
    shopline = httpx.get(f"{root}/shopline/_sandbox/requests", timeout=10).json()["items"]
    trackingmore = httpx.get(f"{root}/trackingmore/_sandbox/requests", timeout=10).json()
    return {"useepay": useepay, "shopline": shopline, "trackingmore": trackingmore}


def keys_in_flight(provider: str, request: dict[str, Any]) -> set[str]:
    """The destination records one recorded request writes to."""
    body, path = request.get("body"), request["path"]
    if provider == "useepay" and request["method"] == "POST" and isinstance(body, dict):
        return {t.get("payment_intent_id") for t in body.get("trackers", []) if isinstance(t, dict)}
    if provider == "shopline" and request["method"] == "POST":
        parts = path.split("/")
        return {f"{parts[-3]}/{parts[-2]}"} if path.endswith("update_tracking.json") else set()
    if provider == "trackingmore":
        if isinstance(body, list):
            return {i.get("tracking_number") for i in body if isinstance(i, dict)}
        if request["method"] in ("PUT", "DELETE"):
            return {path.rstrip("/").split("/")[-1]}
    return set()


def overlapping_duplicates(records: dict[str, list[dict[str, Any]]]) -> list[tuple[str, str]]:
    """(provider, key) pairs that two requests carried at overlapping times (should be none)."""
    clashes: list[tuple[str, str]] = []
    for provider, items in records.items():
        spans: dict[str, list[tuple[float, float]]] = {}
        for request in items:
            for key in keys_in_flight(provider, request):
                spans.setdefault(key, []).append((request["started"], request["finished"]))
        for key, intervals in spans.items():
            intervals.sort()
            for (_, end), (start_next, _) in itertools.pairwise(intervals):
                if start_next < end:
                    clashes.append((provider, key))
    return clashes
