"""tracking_pages: each merchant's buyer tracking page (branding, embedding, CORS, tracking_page_links).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import parcelsync.db.base

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tracking_pages",
        sa.Column("merchant_id", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=True),
        sa.Column("logo_url", sa.String(length=2048), nullable=True),
        sa.Column("accent_color", sa.String(length=7), nullable=True),
        sa.Column("support_email", sa.String(length=320), nullable=True),
        sa.Column("message", sa.String(length=500), nullable=True),
        sa.Column("cors_origins", sa.JSON(), nullable=False),
        sa.Column("frame_ancestors", sa.JSON(), nullable=False),
        sa.Column("tracking_page_links", sa.Boolean(), nullable=False),
        sa.Column("updated_at", parcelsync.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_tracking_pages_merchant_id_merchants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("merchant_id", name=op.f("pk_tracking_pages")),
    )


def downgrade() -> None:
    op.drop_table("tracking_pages")
