"""`parcelsync shopline subscribe` and `parcelsync shopline backfill` against a running sandbox server."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from tests.acceptance.processes import sandbox_server
from typer.testing import CliRunner

from parcelsync.cli import app
from parcelsync.db.crypto import CredentialCipher, generate_key
from parcelsync.db.engine import make_engine, make_sessionmaker, unit_of_work
from parcelsync.db.queries.merchants import create_merchant
from parcelsync.db.tables import ShipmentRow
from parcelsync.domain.provider import Provider
from parcelsync.ingest.connections import save_connection
from parcelsync.ingest.demo import s10_number
from parcelsync.sandbox.server import SandboxUrls

MERCHANT = "storeshop"
HANDLE = "cli-store"
TOKEN = "shpat_cli_store_token"


@pytest.fixture(autouse=True)
def _terminal_width(cli_width: Callable[[int], None]) -> None:
    cli_width(200)


@pytest.fixture
def env(sqlite_database_url: str) -> dict[str, str]:
    return {
        "PARCELSYNC_DATABASE_URL": sqlite_database_url,
        "PARCELSYNC_SECRET_KEY": generate_key(),
        "PARCELSYNC_AUTO_MIGRATE": "false",
        "COLUMNS": "200",
    }


async def _connect(env: dict[str, str], base_url: str, *, app_secret: str | None) -> None:
    engine = make_engine(env["PARCELSYNC_DATABASE_URL"])
    async with unit_of_work(make_sessionmaker(engine)) as session:
        await create_merchant(session, "Store shop", MERCHANT)
        credentials = {"handle": HANDLE, "access_token": TOKEN, **({"app_secret": app_secret} if app_secret else {})}
        await save_connection(session, CredentialCipher(env["PARCELSYNC_SECRET_KEY"]), MERCHANT, Provider.SHOPLINE,
                              base_url=base_url, credentials=credentials)
    await engine.dispose()


async def _count(env: dict[str, str]) -> int:
    engine = make_engine(env["PARCELSYNC_DATABASE_URL"])
    async with make_sessionmaker(engine)() as session:
        found = await session.scalar(select(func.count()).select_from(ShipmentRow))
    await engine.dispose()
    return int(found or 0)


def test_subscribe_twice_then_backfill_twice(env: dict[str, str], tmp_path: Path) -> None:
    with sandbox_server(tmp_path / "sandbox.log") as root:
        urls = SandboxUrls(root)
        httpx.post(f"{urls.shopline_admin}/_sandbox/stores", json={
            "handle": HANDLE, "access_token": TOKEN, "app_secret": "shpss_cli"}).raise_for_status()
        for n in range(120):
            httpx.post(f"{urls.shopline_admin}/_sandbox/stores/{HANDLE}/orders", json={
                "order_id": f"c{n:03d}", "pay_channel_deal_id": f"pi_c{n:03d}",
                "fulfillments": [
                    {"id": f"cf{n:03d}", "tracking_info_list": [{"tracking_number": s10_number(700 + n)}]},
                ],
            }).raise_for_status()
        asyncio.run(_connect(env, urls.shopline(HANDLE), app_secret="shpss_cli"))
        runner = CliRunner()
        url = "https://sync.example.com"
        first = runner.invoke(app, ["shopline", "subscribe", "-m", MERCHANT, "--url", url], env=env)
        second = runner.invoke(app, ["shopline", "subscribe", "-m", MERCHANT, "--url", url], env=env)
        assert first.exit_code == 0 and first.stdout.count("created") == 2, first.output
        assert second.exit_code == 0 and second.stdout.count("exists") == 2, second.output
        assert f"{url}/v1/webhooks/shopline/{MERCHANT}" in first.stdout
        done = runner.invoke(app, ["shopline", "backfill", "-m", MERCHANT, "--days", "60"], env=env)
        assert done.exit_code == 0, done.output
        assert "done" in done.stdout and "120" in done.stdout
        again = runner.invoke(app, ["shopline", "backfill", "-m", MERCHANT], env=env)
        assert again.exit_code == 0 and "120" in again.stdout
        assert asyncio.run(_count(env)) == 120
        shopline = httpx.get(f"{urls.shopline_admin}/_sandbox/requests").json()["items"]
        assert [r for r in shopline if r["status"] == 429] == []


def test_subscribe_without_app_secret_says_what_to_do(env: dict[str, str], tmp_path: Path) -> None:
    asyncio.run(_connect(env, "http://127.0.0.1:9/shopline/x", app_secret=None))
    result = CliRunner().invoke(app, ["shopline", "subscribe", "-m", MERCHANT, "--url", "https://h"], env=env)
    assert result.exit_code == 2 and "app_secret" in result.output
