"""A covering index for the sync-health counts (per merchant, provider and state).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_sync_targets_merchant_provider_state", "sync_targets", ["merchant_id", "provider", "state"])


def downgrade() -> None:
    op.drop_index("ix_sync_targets_merchant_provider_state", table_name="sync_targets")
