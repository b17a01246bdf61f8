"""A log of every request a sandbox received, for tests and benchmarks (count, batch sizes, bodies)."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request as the sandbox saw it, and the status it answered."""

    at: float
    method: str
    path: str
    query: str
    status: int
    body: Any
    started: float
    finished: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class RequestLog:
    """Append-only in-memory request log with simple queries."""

    def __init__(self) -> None:
        self.items: list[RecordedRequest] = []

    def clear(self) -> None:
        self.items.clear()

    def record(
        self, method: str, path: str, query: str, status: int, raw_body: bytes, started: float
    ) -> RecordedRequest:
        try:
            body: Any = json.loads(raw_body) if raw_body else None
        except (ValueError, RecursionError):
            body = raw_body.decode("utf-8", "replace")
        item = RecordedRequest(time.time(), method, path, query, status, body, started, time.monotonic())
        self.items.append(item)
        return item

    def matching(self, method: str | None = None, path_contains: str | None = None) -> list[RecordedRequest]:
        return [
            r
            for r in self.items
            if (method is None or r.method == method) and (path_contains is None or path_contains in r.path)
        ]

    def summary(self) -> dict[str, Any]:
        by_status: dict[str, int] = {}
        for r in self.items:
            by_status[str(r.status)] = by_status.get(str(r.status), 0) + 1
        return {"count": len(self.items), "by_status": by_status}
