"""`parcelsync payments ...` and `parcelsync evidence` end to end on a SQLite file, fed by a CSV import."""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner, Result

from parcelsync.cli import app
from parcelsync.db.crypto import generate_key
from parcelsync.ingest.demo import s10_number

CSV = """tracking_number,carrier,order_id,payment_intent_id,order_value,currency,ship_date,status,customer_email
{a},china-post,1001,pi_cli_1,120.00,EUR,2026-01-02,exception,olivia@example.com
{b},china-post,1001,pi_cli_1,120.00,EUR,2026-01-02,in_transit,olivia@example.com
{c},china-post,1002,pi_cli_2,15,USD,2026-01-03,in_transit,
"""


@pytest.fixture(autouse=True)
def _terminal_width(cli_width: Callable[[int], None]) -> None:
    cli_width(220)


@pytest.fixture
def cli(tmp_path: Path):  # type: ignore[no-untyped-def]
    runner = CliRunner()
    env = {
        "PARCELSYNC_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
        "PARCELSYNC_SECRET_KEY": generate_key(),
        "COLUMNS": "220",
    }

    def invoke(*args: str) -> Result:
        return runner.invoke(app, list(args), env=env, catch_exceptions=False)

    assert invoke("merchants", "create", "Acme Ltd", "--id", "acme").exit_code == 0
    source = tmp_path / "in.csv"
    source.write_text(CSV.format(a=s10_number(1), b=s10_number(2), c=s10_number(3)))
    imported = invoke("import", str(source), "-m", "acme")
    assert imported.exit_code == 0, imported.output
    return invoke


def test_at_risk_summary_counts_each_order_once(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("payments", "at-risk", "-m", "acme")
    assert result.exit_code == 0, result.output
    assert "2 of 2 payment(s) at risk" in result.output
    assert "120.00 EUR" in result.output and "240.00" not in result.output
    assert "15.00 USD" in result.output
    assert "Parcel in exception" in result.output and "pi_cli_1" in result.output
    only = cli("payments", "at-risk", "-m", "acme", "--reason", "parcel_exception")
    assert "pi_cli_1" in only.output and "pi_cli_2" not in only.output.split("oldest first")[-1]
    assert cli("payments", "at-risk", "-m", "acme", "--reason", "bogus").exit_code == 2


def test_settings_show_and_change(cli) -> None:  # type: ignore[no-untyped-def]
    assert "24 h after the ship date" in cli("payments", "settings", "-m", "acme").output
    changed = cli("payments", "settings", "-m", "acme", "--accept-within-hours", "48")
    assert changed.exit_code == 0 and "48 h after the ship date" in changed.output
    assert "48 h" in cli("payments", "settings", "-m", "acme").output


def test_evidence_pdf_json_and_zip(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pdf, js, bundle = tmp_path / "p.pdf", tmp_path / "p.json", tmp_path / "all.zip"
    made = cli("evidence", "pi_cli_1", "-m", "acme", "-o", str(pdf))
    assert made.exit_code == 0, made.output
    text = "".join(p.extract_text() for p in PdfReader(str(pdf)).pages).replace("\n", "")
    assert s10_number(1) in text and s10_number(2) in text
    written = cli("evidence", "pi_cli_1", "-m", "acme", "-o", str(js))
    assert written.exit_code == 0
    assert hashlib.sha256(js.read_bytes()).hexdigest() in written.output.replace("\n", "")
    doc = json.loads(js.read_bytes())
    assert doc["payment"]["order_value"] == [{"currency": "EUR", "amount": "120.00"}]
    assert doc["buyer"]["email"] == "o****a@example.com"
    assert cli("evidence", "pi_nope", "-m", "acme", "-o", str(pdf)).exit_code == 1
    by_order = cli("evidence", "--order", "1002", "-m", "acme", "-o", str(js))
    assert by_order.exit_code == 0 and json.loads(js.read_bytes())["payment"]["payment_intent_id"] == "pi_cli_2"
    assert cli("evidence", "pi_cli_1", "--order", "1002", "-m", "acme", "-o", str(js)).exit_code == 2
    zipped = cli("evidence", "-m", "acme", "--from", "2026-01-01", "--to", "2026-01-31", "-o", str(bundle))
    assert zipped.exit_code == 0 and "wrote 2 evidence pack(s)" in zipped.output
    assert len(zipfile.ZipFile(bundle).namelist()) == 5
