"""The buyer tracking page's browser-test server: the real app over a fresh SQLite file with the sample order.

Run as `python -m tests.e2e.tracking_server --port N --db PATH` from the repository root. It prints one line,
`token <merchant> <token>`, once it serves, so a caller can open the order page directly.
"""

from __future__ import annotations

import argparse
import asyncio

import uvicorn

from parcelsync.api.app import create_app
from parcelsync.db import migrate
from parcelsync.db.crypto import generate_key
from parcelsync.db.engine import unit_of_work
from parcelsync.db.queries.merchants import create_merchant
from parcelsync.settings import Settings
from parcelsync.tracking_page.sample import seed_sample

MERCHANT = "northwind"
OTHER = "globex"


async def main(port: int, db_path: str) -> None:
    url = f"sqlite+aiosqlite:///{db_path}"
    await asyncio.to_thread(migrate.upgrade_sync, url)
    settings = Settings(
        database_url=url,
        secret_key=generate_key(),
        auto_migrate=False,
        log_level="WARNING",
        public_base_url=f"http://127.0.0.1:{port}",
        tracking_miss_floor_ms=50,
    )
    app = create_app(settings)
    runtime = app.state.runtime
    async with unit_of_work(runtime.sessions) as session:
        await create_merchant(session, "Northwind Goods Ltd", MERCHANT)
        await create_merchant(session, "Globex", OTHER)
        sample = await seed_sample(session, MERCHANT, other_merchant=OTHER)
    token = app.state.tracking_page.tokens.issue(MERCHANT, sample.order_id)
    print(f"token {MERCHANT} {token}", flush=True)
    server = uvicorn.Server(uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="off", proxy_headers=False
    ))
    try:
        await server.serve()
    finally:
        await runtime.engine.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--db", required=True)
    args = parser.parse_args()
    asyncio.run(main(args.port, args.db))
