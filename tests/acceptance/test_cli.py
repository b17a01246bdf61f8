"""The `parcelsync` CLI end to end (in-process through Typer's CliRunner) on a SQLite file."""

from __future__ import annotations

import asyncio
import csv
import re
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import func, select
from typer.testing import CliRunner, Result

from parcelsync.cli import app
from parcelsync.db.crypto import generate_key
from parcelsync.db.engine import make_engine
from parcelsync.db.tables import ConnectionRow, ShipmentRow
from parcelsync.ingest.demo import s10_number

FIXTURES = Path(__file__).parents[1] / "fixtures" / "csv"
SECRET = "UseePay_SK_live_never_print_me"


@pytest.fixture(autouse=True)
def _terminal_width(cli_width: Callable[[int], None]) -> None:
    cli_width(200)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str | None]:
    return {
        "PARCELSYNC_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
        "PARCELSYNC_SECRET_KEY": generate_key(),
        "COLUMNS": "200",
    }


@pytest.fixture
def cli(env: dict[str, str | None]):  # type: ignore[no-untyped-def]
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(app, list(args), env=env, catch_exceptions=False)

    assert invoke("merchants", "create", "Acme Ltd", "--id", "acme").exit_code == 0
    return invoke


def read(env: dict[str, str | None], query):  # type: ignore[no-untyped-def]
    """`query(connection)` awaited on the CLI's database."""

    async def main():  # type: ignore[no-untyped-def]
        engine = make_engine(str(env["PARCELSYNC_DATABASE_URL"]))
        try:
            async with engine.connect() as conn:
                return await query(conn)
        finally:
            await engine.dispose()

    return asyncio.run(main())


def scalar(env: dict[str, str | None], stmt):  # type: ignore[no-untyped-def]
    return read(env, lambda conn: conn.scalar(stmt))


def scalar_all(env: dict[str, str | None], stmt):  # type: ignore[no-untyped-def]
    async def rows(conn):  # type: ignore[no-untyped-def]
        return list(await conn.scalars(stmt))

    return read(env, rows)


def shipment_count(env: dict[str, str | None]) -> int:
    return scalar(env, select(func.count()).select_from(ShipmentRow))


def test_keys_generate_prints_a_fernet_key() -> None:
    result = CliRunner().invoke(app, ["keys", "generate"])
    assert result.exit_code == 0
    Fernet(result.stdout.strip().encode())


def test_db_upgrade_and_merchants(cli) -> None:  # type: ignore[no-untyped-def]
    assert cli("db", "upgrade").exit_code == 0
    listed = cli("merchants", "list")
    assert "acme" in listed.stdout and "Acme Ltd" in listed.stdout
    again = cli("merchants", "create", "Dup", "--id", "acme")
    assert again.exit_code == 2


def test_connection_credentials_are_never_echoed(cli, env) -> None:  # type: ignore[no-untyped-def]
    creds = ["--cred", "merchant_no=500000123", "--cred", "app_id=shop.example", "--cred", f"api_key={SECRET}"]
    created = cli("connections", "set", "useepay", "-m", "acme", *creds)
    assert created.exit_code == 0, created.output
    assert SECRET not in created.output and "https://openapi.useepay.com" in created.output
    listed = cli("connections", "list", "-m", "acme")
    assert SECRET not in listed.output and "useepay" in listed.output
    stored = scalar(env, select(ConnectionRow.credentials_enc))
    assert SECRET not in stored
    missing = cli("connections", "set", "trackingmore", "-m", "acme", "--cred", "account_email=a@b.c")
    assert missing.exit_code == 2 and "credentials.api_key" in missing.output
    option = cli("connections", "set", "useepay", "-m", "acme", "--option", "api_version=2025-01")
    assert option.exit_code == 0 and "2025-01" in option.output


def test_import_reports_rejected_rows_with_line_numbers_and_exits_1(cli, env) -> None:  # type: ignore[no-untyped-def]
    result = cli("import", str(FIXTURES / "shipments_bad_rows.csv"), "--merchant", "acme")
    assert result.exit_code == 1
    lines = {line.split("│")[1].strip() for line in result.stdout.splitlines() if line.count("│") >= 4}
    assert {"3", "4", "6", "7", "8", "9", "10", "11"} <= lines
    assert "tracking_number" in result.stdout and "destination_country" in result.stdout
    assert shipment_count(env) == 2


def test_dry_run_writes_nothing(cli, env) -> None:  # type: ignore[no-untyped-def]
    result = cli("import", str(FIXTURES / "shipments_good.csv"), "--merchant", "acme", "--dry-run")
    assert result.exit_code == 0 and "dry run" in result.stdout
    assert shipment_count(env) == 0


def test_import_is_idempotent_and_listable(cli, env) -> None:  # type: ignore[no-untyped-def]
    assert cli("import", str(FIXTURES / "shipments_good.csv"), "-m", "acme").exit_code == 0
    again = cli("import", str(FIXTURES / "shipments_good.csv"), "-m", "acme")
    assert again.exit_code == 0
    assert shipment_count(env) == 4
    listed = cli("shipments", "list", "-m", "acme", "--carrier", "UPS")
    assert "1Z5R89390357567127" in listed.stdout and "LX000000116CN" not in listed.stdout
    shipment_id = scalar(env, select(ShipmentRow.id).where(ShipmentRow.carrier == "ups"))
    shown = cli("shipments", "show", str(shipment_id), "-m", "acme")
    assert "olivia@example.com" in shown.stdout
    assert cli("shipments", "show", "999999", "-m", "acme").exit_code == 1


def test_shipments_list_pages_with_the_api_cursor(cli, env) -> None:  # type: ignore[no-untyped-def]
    assert cli("import", str(FIXTURES / "shipments_good.csv"), "-m", "acme").exit_code == 0
    first = cli("shipments", "list", "-m", "acme", "--limit", "3")
    found = re.search(r"next page: --cursor (\S+)", first.stdout)
    assert found is not None
    rest = cli("shipments", "list", "-m", "acme", "--limit", "3", "--cursor", found.group(1))
    assert rest.exit_code == 0 and "next page" not in rest.stdout
    numbers = set(scalar_all(env, select(ShipmentRow.tracking_number)))
    shown = {n for n in numbers if n in first.stdout} | {n for n in numbers if n in rest.stdout}
    assert shown == numbers and not {n for n in numbers if n in first.stdout} & {n for n in numbers if n in rest.stdout}
    bad = cli("shipments", "list", "-m", "acme", "--cursor", found.group(1) + "x")
    assert bad.exit_code == 2 and "cursor" in bad.output


def test_bad_header_and_unknown_merchant(cli) -> None:  # type: ignore[no-untyped-def]
    bad = cli("import", str(FIXTURES / "shipments_unknown_column.csv"), "-m", "acme")
    assert bad.exit_code == 2 and "colour" in bad.output
    nobody = cli("import", str(FIXTURES / "shipments_good.csv"), "-m", "nobody")
    assert nobody.exit_code == 2 and "nobody" in nobody.output


def write_rows(path: Path, count: int) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["tracking_number", "order_id", "fulfillment_id", "payment_intent_id", "customer_email"])
        for i in range(count):
            writer.writerow([s10_number(i), f"o{i}", f"f{i}", f"pi_{i}", f"c{i}@example.com"])


@pytest.mark.parametrize("rows", [10_000, pytest.param(100_000, marks=pytest.mark.slow)])
def test_large_import(cli, env, tmp_path: Path, rows: int) -> None:  # type: ignore[no-untyped-def]
    """10,000 rows always; 100,000 (about 45 s on a busy 2-core box) in the slow set."""
    path = tmp_path / "rows.csv"
    write_rows(path, rows)
    result = cli("import", str(path), "-m", "acme")
    assert result.exit_code == 0, result.output
    assert shipment_count(env) == rows


def test_demo_seeds_once_and_keeps_its_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    env = {"PARCELSYNC_SECRET_KEY": None, "PARCELSYNC_DATABASE_URL": None, "COLUMNS": "200"}
    first = CliRunner().invoke(app, ["demo", "--no-serve"], env=env, catch_exceptions=False)
    assert first.exit_code == 0, first.output
    assert "53 new demo shipments" in first.stdout and "/docs" in first.stdout and "/payments" in first.stdout
    key = (tmp_path / ".parcelsync-demo-key").read_text().strip()
    Fernet(key.encode())
    second = CliRunner().invoke(app, ["demo", "--no-serve"], env=env, catch_exceptions=False)
    assert "0 new demo shipments" in second.stdout
    assert (tmp_path / ".parcelsync-demo-key").read_text().strip() == key
    links = [
        re.search(r"buyer page\s+(http://127\.0\.0\.1:8000/track/demo/[A-Za-z0-9_-]+)", o.stdout)
        for o in (first, second)
    ]
    assert links[0] and links[1] and links[0].group(1) == links[1].group(1)  # the same link on every start
    assert (tmp_path / "parcelsync.db").exists()


def test_every_cli_module_is_loaded() -> None:
    import pkgutil

    import parcelsync.cli as cli

    for module in pkgutil.iter_modules(cli.__path__):
        assert f"parcelsync.cli.{module.name}" in sys.modules
