"""Log redaction and formats."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
import structlog

from parcelsync.logging import SECRETS, configure_logging, get_logger, is_secret_name, register_secret, wants_json

SECRET = "SECRET-logging-Q9Z8"


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    out = io.StringIO()
    configure_logging(level="DEBUG", fmt="json", stream=out)
    register_secret(SECRET)
    yield out
    configure_logging(level="INFO", fmt="json")


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("api_key", True), ("Tracking-Api-Key", True), ("access_token", True), ("client_secret", True),
        ("password", True), ("Authorization", True), ("cookie", True), ("credentials", True),
        ("target_key", False), ("idempotency_key", False), ("token_prefix", False), ("status", False),
    ],
)
def test_secret_names(name: str, secret: bool) -> None:
    assert is_secret_name(name) is secret


def test_secret_keys_and_registered_values_are_masked(stream: io.StringIO) -> None:
    log = get_logger("test")
    log.info(
        f"calling with {SECRET}",
        api_key="plain-looking-value",
        headers={"Authorization": "Bearer abc", "Accept": "application/json"},
        body={"nested": [f"x{SECRET}y", {"password": "hunter22"}]},
        target_keys=["pi_1"],
        attempt=2,
    )
    (line,) = lines(stream)
    assert SECRET not in stream.getvalue() and "plain-looking-value" not in stream.getvalue()
    assert "hunter22" not in stream.getvalue() and "Bearer abc" not in stream.getvalue()
    assert line["event"] == "calling with ***"
    assert line["headers"] == {"Authorization": "***", "Accept": "application/json"}
    assert line["target_keys"] == ["pi_1"] and line["attempt"] == 2


def test_tracebacks_and_foreign_loggers_are_masked(stream: io.StringIO, caplog: pytest.LogCaptureFixture) -> None:
    try:
        raise RuntimeError(f"provider said {SECRET}")
    except RuntimeError:
        get_logger("test").exception("call failed")
    logging.getLogger("some.library").warning("GET https://api.example/x?key=%s", SECRET)
    text = stream.getvalue()
    assert "RuntimeError: provider said ***" in text
    assert "key=***" in text
    assert SECRET not in text
    assert SECRET not in caplog.text
    assert all(SECRET not in r.getMessage() for r in caplog.records)


def test_request_id_from_contextvars(stream: io.StringIO) -> None:
    structlog.contextvars.bind_contextvars(request_id="req-123")
    try:
        get_logger("test").info("inside")
    finally:
        structlog.contextvars.clear_contextvars()
    assert lines(stream)[0]["request_id"] == "req-123"


def test_short_values_are_not_registered() -> None:
    register_secret("abc", None, "")
    assert "abc" not in SECRETS


def test_format_choice() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert wants_json("auto", io.StringIO())
    assert not wants_json("auto", Tty())
    assert wants_json("json", Tty())
    assert not wants_json("console", io.StringIO())


def test_console_format_is_human_readable() -> None:
    out = io.StringIO()
    configure_logging(level="INFO", fmt="console", stream=out)
    try:
        get_logger("test").info("hello", shipment=7)
    finally:
        configure_logging(level="INFO", fmt="json")
    text = out.getvalue()
    assert "hello" in text and "shipment=7" in text and not text.lstrip().startswith("{")
