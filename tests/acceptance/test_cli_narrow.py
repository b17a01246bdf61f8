"""`parcelsync sync status` and `parcelsync connections list` on an 80-column terminal: nothing cut to "…"."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable

import pytest
from typer.testing import CliRunner

from parcelsync.cli import app
from parcelsync.db.crypto import CredentialCipher, generate_key
from parcelsync.db.engine import make_engine, make_sessionmaker, unit_of_work
from parcelsync.db.queries.merchants import create_merchant
from parcelsync.domain.provider import Provider
from parcelsync.ingest.connections import save_connection
from parcelsync.ingest.demo import s10_number
from parcelsync.ingest.service import upsert_shipments

MERCHANT = "narrowshop"
LONG_URL = "http://sandbox.internal.example:8100/shopline/a-rather-long-store-handle-2026"
TM_URL = "http://sandbox.internal.example:8100/trackingmore/v2"


@pytest.fixture(autouse=True)
def _terminal_width(cli_width: Callable[[int], None]) -> None:
    cli_width(80)


@pytest.fixture
def env(sqlite_database_url: str) -> dict[str, str]:
    return {
        "PARCELSYNC_DATABASE_URL": sqlite_database_url,
        "PARCELSYNC_SECRET_KEY": generate_key(),
        "PARCELSYNC_AUTO_MIGRATE": "false",
        "COLUMNS": "80",
    }


async def seed(env: dict[str, str]) -> None:
    engine = make_engine(env["PARCELSYNC_DATABASE_URL"])
    sessions = make_sessionmaker(engine)
    cipher = CredentialCipher(env["PARCELSYNC_SECRET_KEY"])
    async with unit_of_work(sessions) as session:
        await create_merchant(session, "Narrow shop", MERCHANT)
        await save_connection(
            session, cipher, MERCHANT, Provider.SHOPLINE, base_url=LONG_URL,
            credentials={"handle": "a-rather-long-store-handle-2026", "access_token": "shpat_" + "x" * 40},
            options={"rate_per_second": 1000, "bucket_size": 1000},
        )
        await save_connection(session, cipher, MERCHANT, Provider.TRACKINGMORE, base_url=TM_URL,
                              credentials={"api_key": "k" * 32})
        items = [{"tracking_number": s10_number(i), "carrier": "china-post", "order_id": f"o{i}",
                  "fulfillment_id": f"f{i}"} for i in range(3)]
        await upsert_shipments(session, MERCHANT, items)
    await engine.dispose()


def column_text(output: str, start: int, end: int) -> str:
    """The characters of one column (by header position) of every line, joined: a folded cell read whole."""
    return "".join(line[start:end].strip() for line in output.splitlines())


def assert_readable(output: str) -> None:
    assert "…" not in output, output
    assert max(len(line) for line in output.splitlines()) <= 80, output


def test_connections_list_wraps_base_urls_at_80_columns(env: dict[str, str]) -> None:
    asyncio.run(seed(env))
    result = CliRunner().invoke(app, ["connections", "list", "-m", MERCHANT], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert_readable(result.output)
    header = next(line for line in result.output.splitlines() if "base_url" in line)
    for word in ("provider", "base_url", "credentials", "options", "enabled"):
        assert re.search(rf"\b{word}\b", header), header  # every header whole, on the header line
    start, end = header.index("base_url"), header.index("credentials")
    urls = column_text(result.output, start, end)
    assert LONG_URL in urls and TM_URL in urls  # folded over several lines, every character kept


def test_sync_status_is_whole_at_80_columns(env: dict[str, str]) -> None:
    asyncio.run(seed(env))
    result = CliRunner().invoke(app, ["sync", "status"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert_readable(result.output)
    text = " ".join(result.output.split())
    for word in ("provider", "queue", "due", "now", "oldest", "pending", "synced", "parked", "dead", "skipped"):
        assert re.search(rf"\b{word}\b", text), result.output
    for provider in ("trackingmore", "shopline"):
        assert re.search(rf"^ ?{provider}\s+\d", result.output, re.M), result.output
