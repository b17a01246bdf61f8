"""The API on a fresh database with one merchant, for the events and webhooks tests (SQLite and PostgreSQL)."""

from __future__ import annotations

from tests.integration.api.conftest import admin_token, client, merchant, settings  # noqa: F401
