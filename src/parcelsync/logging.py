"""Structured logs through structlog: JSON off a terminal (or PARCELSYNC_LOG_FORMAT=json), readable on one.

Every line passes a redaction step first: values under secret-looking keys (`*key*`, `*token*`,
`*secret*`, `*password*`, credential headers) are masked, and every registered secret value
(connection credentials are registered here as they are decrypted) is masked wherever it
appears in any string, including tracebacks and lines written by other libraries' stdlib loggers.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
from collections.abc import Iterable, Mapping
from typing import IO, Any

import structlog
from structlog.types import EventDict, Processor

MASK = "***"
MIN_SECRET_CHARS = 6
SECRET_NAME_PARTS = ("key", "token", "secret", "password", "passwd", "credential", "authorization", "cookie")
NOT_SECRET_NAMES = frozenset(
    {
        "target_key", "target_keys", "idempotency_key", "delivery_key",
        "token_id", "token_prefix", "token_scope", "keys_rotated",
    }
)
QUIET_LOGGERS = {"uvicorn.access": logging.WARNING, "httpx": logging.WARNING, "httpcore": logging.WARNING}
_HANDLER_NAME = "parcelsync"
_TRACEBACKS = logging.Formatter()


class SecretRegistry:
    """A process-wide set of secret values to mask in every log line."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self._lock = threading.Lock()

    def register(self, values: Iterable[object]) -> None:
        fresh = {v for v in values if isinstance(v, str) and len(v) >= MIN_SECRET_CHARS} - self._values
        if not fresh:
            return
        with self._lock:
            self._values |= fresh
            ordered = sorted(self._values, key=len, reverse=True)
            self._pattern = re.compile("|".join(re.escape(v) for v in ordered))

    def clear(self) -> None:
        with self._lock:
            self._values = set()
            self._pattern = None

    def __contains__(self, value: object) -> bool:
        return value in self._values

    def redact(self, text: str) -> str:
        pattern = self._pattern
        return pattern.sub(MASK, text) if pattern is not None else text


SECRETS = SecretRegistry()


def register_secret(*values: object) -> None:
    """Mask these values in every log line from now on (strings shorter than 6 characters are ignored)."""
    SECRETS.register(values)


def register_secrets(values: Iterable[object]) -> None:
    SECRETS.register(values)


def is_secret_name(name: str) -> bool:
    lowered = name.lower().replace("-", "_")
    if lowered in NOT_SECRET_NAMES:
        return False
    return any(part in lowered for part in SECRET_NAME_PARTS)


def redact_value(key: str, value: Any) -> Any:
    """`value` as it may be logged under `key`: masked by name, by registered secret, recursively."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if key and is_secret_name(key):
        return MASK
    if isinstance(value, str):
        return SECRETS.redact(value)
    if isinstance(value, bytes):
        return SECRETS.redact(value.decode(errors="replace"))
    if isinstance(value, Mapping):
        return {k: redact_value(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [redact_value("", v) for v in value]
    text = str(value)
    cleaned = SECRETS.redact(text)
    return value if cleaned == text else cleaned


def redact_event(_logger: object, _method: str, event_dict: EventDict) -> EventDict:
    """The structlog processor: mask secrets in every key and value of the event."""
    return {k: (SECRETS.redact(str(v)) if k == "event" else redact_value(k, v)) for k, v in event_dict.items()}


def _install_record_redaction() -> None:
    """Mask registered secrets in every stdlib LogRecord at creation, so every handler sees clean text."""
    current = logging.getLogRecordFactory()
    if getattr(current, "_parcelsync_redacting", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = current(*args, **kwargs)
        if SECRETS._pattern is None:
            return record
        if record.exc_info and record.exc_info[0] is not None:
            record.exc_text = SECRETS.redact(_TRACEBACKS.formatException(record.exc_info))
        if isinstance(record.msg, str):
            try:
                message = record.getMessage()
            except (TypeError, ValueError):
                return record
            cleaned = SECRETS.redact(message)
            if cleaned != message:
                record.msg, record.args = cleaned, None
        return record

    factory._parcelsync_redacting = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


def wants_json(fmt: str, stream: IO[str]) -> bool:
    if fmt == "json":
        return True
    if fmt in ("console", "text", "human"):
        return False
    isatty = getattr(stream, "isatty", None)
    return not (callable(isatty) and isatty())


def shared_processors() -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
        structlog.processors.format_exc_info,
        redact_event,
    ]


def configure_logging(*, level: str = "INFO", fmt: str = "auto", stream: IO[str] | None = None) -> None:
    """Route structlog and stdlib logging through one redacting handler on the root logger."""
    out = stream if stream is not None else sys.stderr
    as_json = wants_json(fmt.lower(), out)
    renderer: Processor = (
        structlog.processors.JSONRenderer(default=str)
        if as_json
        else structlog.dev.ConsoleRenderer(colors=bool(getattr(out, "isatty", lambda: False)()))
    )
    handler = logging.StreamHandler(out)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
            foreign_pre_chain=shared_processors(),
        )
    )
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER_NAME]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name, quiet in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(quiet)
    _install_record_redaction()
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared_processors(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )


def get_logger(name: str | None = None) -> structlog.stdlib.BoundLogger:
    return structlog.stdlib.get_logger(name)
