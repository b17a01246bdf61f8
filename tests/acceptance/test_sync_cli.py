"""`parcelsync sync status`, `retry`, `worker --once`, `reconcile` and the combined sandbox app."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from tests.acceptance.processes import sandbox_server
from typer.testing import CliRunner

from parcelsync.cli import app
from parcelsync.db.base import utcnow
from parcelsync.db.crypto import CredentialCipher, generate_key
from parcelsync.db.engine import make_engine, make_sessionmaker, unit_of_work
from parcelsync.db.queries.merchants import create_merchant
from parcelsync.domain.provider import Provider
from parcelsync.ingest.connections import save_connection
from parcelsync.ingest.demo import s10_number
from parcelsync.ingest.service import upsert_shipments
from parcelsync.sandbox.server import Sandboxes, SandboxUrls, create_app
from parcelsync.sync.outbox import Outbox, give_up, release

MERCHANT = "clishop"


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


async def seed(env: dict[str, str], base_url: str) -> None:
    """A merchant with a UseePay connection (pointing at `base_url`) and 3 shipments; one target parked."""
    engine = make_engine(env["PARCELSYNC_DATABASE_URL"])
    sessions = make_sessionmaker(engine)
    async with unit_of_work(sessions) as session:
        await create_merchant(session, "CLI shop", MERCHANT)
        await save_connection(
            session, CredentialCipher(env["PARCELSYNC_SECRET_KEY"]), MERCHANT, Provider.USEEPAY, base_url=base_url,
            credentials={"merchant_no": "500000000000042", "app_id": "cli", "api_key": "UseePay_SK_cli_secret"},
        )
        items = [{"tracking_number": s10_number(i), "carrier": "china-post", "payment_intent_id": f"pi_{i}"}
                 for i in range(3)]
        await upsert_shipments(session, MERCHANT, items)
    box = Outbox(owner="cli-test", lease_seconds=60)
    async with unit_of_work(sessions) as session:
        claim = await box.claim(session, utcnow())
        assert claim is not None
        target = claim.targets[0]
        await give_up(session, target.id, owner="cli-test", state="parked", sent_version=target.desired_version,
                      reason="rejected by UseePay", now=utcnow(), outcome={})
        await release(session, [t.id for t in claim.targets[1:]], owner="cli-test")
    await engine.dispose()


def cells(output: str, first: str) -> list[str]:
    """The cells of the rich table row that starts with `first` (boxed, or light borders: 2+ spaces apart)."""
    for line in output.splitlines():
        boxed = "│" in line
        parts = [c.strip() for c in line.split("│")][1:-1] if boxed else re.split(r"\s{2,}", line.strip())
        if len(parts) > 1 and parts[0] == first:
            return parts
    raise AssertionError(f"no row {first!r} in:\n{output}")


def test_sync_status_and_retry(env: dict[str, str]) -> None:
    asyncio.run(seed(env, "http://127.0.0.1:9/useepay"))
    runner = CliRunner()
    status = runner.invoke(app, ["sync", "status"], env=env, catch_exceptions=False)
    assert status.exit_code == 0, status.output
    _provider, queue, _due, _oldest, pending, synced, parked, dead, skipped = cells(status.output, "useepay")
    assert (queue, pending, synced, parked, dead, skipped) == ("2", "2", "0", "1", "0", "0")
    assert "no paused connections" in status.output

    refused = runner.invoke(app, ["retry"], env=env)
    assert refused.exit_code == 2 and "say which targets" in refused.output

    replayed = runner.invoke(app, ["retry", "--merchant", MERCHANT], env=env, catch_exceptions=False)
    assert replayed.exit_code == 0, replayed.output
    assert cells(replayed.output, "useepay") == ["useepay", "parked", "1"]
    assert cells(replayed.output, "total")[-1] == "1"
    again = runner.invoke(app, ["retry", "--all"], env=env, catch_exceptions=False)
    assert cells(again.output, "total")[-1] == "0"


def test_worker_once_syncs_against_a_sandbox_and_reconcile_agrees(env: dict[str, str], tmp_path: Path) -> None:
    with sandbox_server(tmp_path / "sandbox.log") as root:
        urls = SandboxUrls(root)
        httpx.post(f"{urls.useepay}/_sandbox/merchants", json={
            "merchant_no": "500000000000042", "app_id": "cli", "api_key": "UseePay_SK_cli_secret",
            "accept_any_payment_intent": True,
        }).raise_for_status()
        asyncio.run(seed(env, urls.useepay))
        runner = CliRunner()
        done = runner.invoke(app, ["worker", "--once"], env=env, catch_exceptions=False)
        assert done.exit_code == 0, done.output
        trackers = httpx.get(f"{urls.useepay}/_sandbox/trackers").json()["trackers"]
        assert len(trackers) == 2  # the parked one waits for a replay
        report = runner.invoke(app, ["reconcile", "--merchant", MERCHANT], env=env, catch_exceptions=False)
        assert report.exit_code == 1 and "missing" in report.output  # pi of the parked target is not there
        runner.invoke(app, ["retry", "--all"], env=env, catch_exceptions=False)
        runner.invoke(app, ["worker", "--once"], env=env, catch_exceptions=False)
        clean = runner.invoke(app, ["reconcile", "--merchant", MERCHANT], env=env, catch_exceptions=False)
        assert clean.exit_code == 0 and "no drift" in clean.output
        assert "UseePay_SK_cli_secret" not in done.output + report.output + clean.output


@pytest.mark.anyio
async def test_the_combined_sandbox_routes_to_each_provider() -> None:
    sandboxes = Sandboxes()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(sandboxes)), base_url="http://s") as s:
        index = (await s.get("/")).json()
        assert index["trackingmore"] == "http://s/trackingmore/v2"
        tm = await s.get("/trackingmore/v2/trackings/get", headers={"Trackingmore-Api-Key": "nope"})
        assert tm.json()["meta"]["code"] == 4001
        up = await s.post("/useepay/api/v2/shipping/trackers", json={"trackers": []})
        assert up.status_code == 401
        store = await s.post("/shopline/_sandbox/stores", json={"handle": "shop1", "access_token": "tok"})
        assert store.status_code == 201
        sl = await s.post("/shopline/shop1/admin/openapi/v20260301/fulfillments/1/2/update_tracking.json", json={})
        assert sl.status_code == 401
    assert len(sandboxes.trackingmore.log.items) == 1 and len(sandboxes.useepay.log.items) == 1
    assert len(sandboxes.shopline.log.items) == 1
