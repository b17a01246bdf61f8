"""Stand-in for `parcelsync worker` until that command lands: one `sync.worker.Worker` until SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import signal

from parcelsync.db.engine import make_engine, make_sessionmaker
from parcelsync.settings import Settings
from parcelsync.sync.worker import Worker


async def run() -> None:
    settings = Settings()
    engine = make_engine(settings.database_url)
    try:
        async with Worker(make_sessionmaker(engine), settings) as worker:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, worker.stop)
            await worker.run(grace_s=5.0)
    finally:
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(run())
