"""Partial indexes over pending outbox targets for the worker's claim query.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

PENDING = sa.text("state = 'pending'")
INDEXES = {
    "ix_sync_targets_pending_due": ["next_attempt_at", "id"],
    "ix_sync_targets_pending_group": ["merchant_id", "provider", "next_attempt_at", "id"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "sync_targets", columns, sqlite_where=PENDING, postgresql_where=PENDING)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="sync_targets")
