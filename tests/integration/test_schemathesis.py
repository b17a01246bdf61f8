"""schemathesis against the app's own OpenAPI, with every one of its checks, on every operation.

Bounded (a fixed number of examples per operation) so it runs in the normal suite; an admin token and a
real merchant in X-Merchant-Id let generated requests reach the handlers instead of stopping at auth.
Positive and negative data (mode "all"); the checks are every check schemathesis registers (`ALL_CHECKS`),
among them status-code, content-type, header and body conformance, acceptance of schema-valid data,
rejection of schema-violating data, missing required headers, 405 + `Allow` for undeclared methods and
ignored authentication. A stateful run follows the schema's links (create a merchant, then use it).

Where an operation validates what no JSON Schema can state, schema-valid data may still be refused with a
422 naming the field, and only there `positive_data_acceptance` also expects 422 (`SEMANTIC`): tracking
numbers (format and check digits per carrier), ISO 3166-1 country codes, the server's opaque cursors, and
provider credentials whose names depend on the `{provider}` in the path.

The schema is loaded when the module is imported (schemathesis parametrizes at collection), from an
app on a throw-away SQLite file that the `token` fixture migrates and seeds.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.config import SchemathesisConfig

from parcelsync.api import create_app
from parcelsync.db import migrate
from parcelsync.db.crypto import generate_key
from parcelsync.db.engine import unit_of_work
from parcelsync.db.tables import MerchantRow
from parcelsync.security.tokens import Scope, issue_token
from parcelsync.settings import Settings

MERCHANT = "acme"
EXAMPLES_PER_OPERATION = 25
POSITIVE_DEFAULT = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]
SEMANTIC = {
    "POST /v1/shipments": "tracking number format and check digits, ISO country codes",
    "PATCH /v1/shipments/{shipment_id}": "tracking number format and check digits, ISO country codes",
    "GET /v1/shipments": "opaque cursor",
    "GET /v1/shipments/export.csv": "ISO country codes",
    "PUT /v1/merchants/{merchant_id}/connections/{provider}": "credential names depend on {provider}",
    "PATCH /v1/merchants/{merchant_id}/connections/{provider}": "credential names depend on {provider}",
    "POST /v1/webhook-endpoints": "the URL's host must not be a loopback, private or link-local address",
    "PATCH /v1/webhook-endpoints/{endpoint_id}": "the URL's host must not be a loopback, private or link-local address",
    "GET /v1/events": "event types may also be comma-separated, so the list items are checked against the names",
    "PUT /v1/alert-settings": "the keys of `rules` must be rule names",
    "GET /v1/payment-intents/evidence.zip": "`to` must not be before `from`",
    "PUT /v1/merchants/{merchant_id}/tracking-page": "CORS and framing origins must be http(s) origins",
}

ACCEPT_422 = [*POSITIVE_DEFAULT, "422"]

load_all_checks()
ALL_CHECKS = list(CHECKS.get_all())
CONFIG = SchemathesisConfig.from_dict(
    {
        "generation": {"mode": "all"},
        "operations": [
            {"include-name": name, "checks": {"positive_data_acceptance": {"expected-statuses": ACCEPT_422}}}
            for name in SEMANTIC
        ],
    }
)

_workdir = tempfile.TemporaryDirectory(prefix="parcelsync-schemathesis-")
_url = f"sqlite+aiosqlite:///{Path(_workdir.name) / 'parcelsync.db'}"
app = create_app(Settings(database_url=_url, secret_key=generate_key(), auto_migrate=False))
schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=CONFIG)


_secret: dict[str, str] = {}


@schema.auth()
class BearerToken:
    """The admin token, given the way the schema declares it (so schemathesis knows when a case lacks it)."""

    def get(self, case: schemathesis.Case, ctx: object) -> str:
        if "token" not in _secret:  # collection may ask before any fixture ran
            _secret["token"] = _seed()
        return _secret["token"]

    def set(self, case: schemathesis.Case, data: str, ctx: object) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


def _seed() -> str:
    migrate.upgrade_sync(_url)
    sessions = app.state.runtime.sessions

    async def seed() -> str:
        async with unit_of_work(sessions) as session:
            session.add(MerchantRow(id=MERCHANT, name="Acme"))
        return (await issue_token(sessions, scope=Scope.ADMIN, name="schemathesis")).secret

    return asyncio.run(seed())


@pytest.fixture(scope="module")
def token() -> str:
    if "token" not in _secret:
        _secret["token"] = _seed()
    return _secret["token"]


def test_every_check_is_run() -> None:
    names = {check.__name__ for check in ALL_CHECKS}
    assert {"not_a_server_error", "status_code_conformance", "response_schema_conformance",
            "positive_data_acceptance", "negative_data_rejection", "unsupported_method",
            "allow_header_conformance", "missing_required_header", "ignored_auth"} <= names
    labels = {result.ok().label for result in schema.get_all_operations()}
    assert labels >= set(SEMANTIC) and len(labels) >= 26


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_api_conforms_to_its_openapi(case: schemathesis.Case, token: str) -> None:
    assert token
    case.call_and_validate(headers={"X-Merchant-Id": MERCHANT}, checks=ALL_CHECKS)
