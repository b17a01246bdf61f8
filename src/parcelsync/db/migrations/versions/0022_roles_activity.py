"""Dashboard roles (`users.role`: admin, operator, viewer) and the `activity` log of who changed what.

Existing users keep what they could do: a user of every merchant (merchant_id NULL) becomes
`admin`, a user of one merchant becomes `operator` (retry, import, settings).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from parcelsync.db.base import BigId, UTCDateTime

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("role", sa.String(10), nullable=False, server_default="operator"))
    op.execute("UPDATE users SET role = 'admin' WHERE merchant_id IS NULL")
    op.create_table(
        "activity",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("merchant_id", sa.String(64), sa.ForeignKey("merchants.id", ondelete="CASCADE"), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor_kind", sa.String(10), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
    )
    op.create_index("ix_activity_merchant_id", "activity", ["merchant_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_activity_merchant_id", table_name="activity")
    op.drop_table("activity")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("role")
