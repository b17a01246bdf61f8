"""`parcelsync webhooks add / list / test / deliveries / replay` against a real receiver on loopback."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from standardwebhooks.webhooks import Webhook
from typer.testing import CliRunner, Result

from parcelsync.cli import app
from parcelsync.db.crypto import generate_key

RECEIVED: list[tuple[dict[str, str], str]] = []


class Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"])).decode()
        RECEIVED.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"thanks")

    def log_message(self, *_: object) -> None:
        return


@pytest.fixture(autouse=True)
def _terminal_width(cli_width: Callable[[int], None]) -> None:
    cli_width(200)


@pytest.fixture
def receiver() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()


@pytest.fixture
def cli(tmp_path: Path):  # type: ignore[no-untyped-def]
    env = {
        "PARCELSYNC_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
        "PARCELSYNC_SECRET_KEY": generate_key(),
        "PARCELSYNC_WEBHOOK_ALLOW_PRIVATE_URLS": "true",
        "COLUMNS": "200",
    }
    runner = CliRunner()

    def invoke(*args: str, **extra: str) -> Result:
        return runner.invoke(app, list(args), env={**env, **extra}, catch_exceptions=False)

    assert invoke("merchants", "create", "Acme Ltd", "--id", "acme").exit_code == 0
    return invoke


def test_add_test_deliveries_replay(cli, receiver: str) -> None:  # type: ignore[no-untyped-def]
    refused = cli("webhooks", "add", receiver, "-m", "acme", PARCELSYNC_WEBHOOK_ALLOW_PRIVATE_URLS="false")
    assert refused.exit_code != 0 and "loopback" in refused.output
    added = cli("webhooks", "add", receiver, "-m", "acme")
    assert added.exit_code == 0, added.output
    secret = re.search(r"(whsec_\S+)", added.output).group(1)  # type: ignore[union-attr]
    listed = cli("webhooks", "list", "-m", "acme")
    assert receiver in listed.output and secret not in listed.output
    pinged = cli("webhooks", "test", "1", "-m", "acme")
    assert pinged.exit_code == 0 and ": 200 in" in pinged.output
    headers, body = RECEIVED[-1]
    assert Webhook(secret).verify(body, headers)["type"] == "webhook.test"
    log = cli("webhooks", "deliveries", "1", "-m", "acme")
    assert "webhook.test" in log.output and "thanks" in log.output
    assert cli("webhooks", "replay", "1", "-m", "acme").exit_code != 0
    replayed = cli("webhooks", "replay", "1", "-m", "acme", "--since", "2000-01-01")
    assert replayed.exit_code == 0 and "0 deliveries" in replayed.output
