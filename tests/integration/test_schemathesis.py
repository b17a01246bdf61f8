"""schemathesis against the app's own OpenAPI: no 5xx and no response that violates its documented schema.

Bounded (a fixed number of examples per operation) so it runs in the normal suite; an admin token and a
real merchant in X-Merchant-Id let generated requests reach the handlers instead of stopping at auth.
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
from schemathesis.checks import not_a_server_error, response_schema_conformance

from parcelsync.api import create_app
from parcelsync.db import migrate
from parcelsync.db.crypto import generate_key
from parcelsync.db.engine import unit_of_work
from parcelsync.db.tables import MerchantRow
from parcelsync.security.tokens import Scope, issue_token
from parcelsync.settings import Settings

MERCHANT = "acme"
EXAMPLES_PER_OPERATION = 25

_workdir = tempfile.TemporaryDirectory(prefix="parcelsync-schemathesis-")
_url = f"sqlite+aiosqlite:///{Path(_workdir.name) / 'parcelsync.db'}"
app = create_app(Settings(database_url=_url, secret_key=generate_key(), auto_migrate=False))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@pytest.fixture(scope="module")
def token() -> str:
    migrate.upgrade_sync(_url)
    sessions = app.state.runtime.sessions

    async def seed() -> str:
        async with unit_of_work(sessions) as session:
            session.add(MerchantRow(id=MERCHANT, name="Acme"))
        return (await issue_token(sessions, scope=Scope.ADMIN, name="schemathesis")).secret

    return asyncio.run(seed())


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_api_conforms_to_its_openapi(case: schemathesis.Case, token: str) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}", "X-Merchant-Id": MERCHANT},
        checks=[not_a_server_error, response_schema_conformance],
    )
