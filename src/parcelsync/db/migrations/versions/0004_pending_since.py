"""sync_targets.pending_since: when a target entered the queue, for the oldest-pending age.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import parcelsync.db.base

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sync_targets") as batch:
        batch.add_column(sa.Column("pending_since", parcelsync.db.base.UTCDateTime(timezone=True), nullable=True))
    op.execute("UPDATE sync_targets SET pending_since = updated_at WHERE state = 'pending'")


def downgrade() -> None:
    with op.batch_alter_table("sync_targets") as batch:
        batch.drop_column("pending_since")
