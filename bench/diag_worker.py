"""Diagnostic worker: the real `sync.worker.Worker`, with wall time per phase (claim, send, record) summed.

Used with `bench.sync --diagnose` to see where a worker's time goes; prints JSON on stop.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import time
from collections import defaultdict
from typing import Any

from parcelsync.db.crypto import CredentialCipher
from parcelsync.db.engine import make_engine, make_sessionmaker
from parcelsync.settings import Settings
from parcelsync.sync.worker import Worker

TIMES: dict[str, float] = defaultdict(float)
COUNTS: dict[str, int] = defaultdict(int)


def timed(name: str, fn: Any) -> Any:
    async def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = time.monotonic()
        try:
            return await fn(*args, **kwargs)
        finally:
            TIMES[name] += time.monotonic() - started
            COUNTS[name] += 1

    return wrapper


class TimedWorker(Worker):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.outbox.claim = timed("claim", self.outbox.claim)  # type: ignore[method-assign]
        self._send = timed("send (snapshot + provider call)", self._send)  # type: ignore[method-assign]
        self._record = timed("record", self._record)  # type: ignore[method-assign]


async def run() -> None:
    settings = Settings()
    engine = make_engine(settings.database_url)
    started = time.monotonic()
    try:
        async with TimedWorker(make_sessionmaker(engine), settings,
                               cipher=CredentialCipher(settings.secret_key or "")) as worker:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, worker.stop)
            await worker.run(grace_s=5.0)
    finally:
        await engine.dispose()
        wall = time.monotonic() - started
        summary = {k: {"total_s": round(v, 2), "count": COUNTS[k], "mean_ms": round(1000 * v / COUNTS[k], 1)}
                   for k, v in TIMES.items()}
        sys.stdout.write(json.dumps({"wall_s": round(wall, 1), "phases": summary}) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    asyncio.run(run())
