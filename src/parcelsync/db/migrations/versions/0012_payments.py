"""Payments: order value and currency on shipments, sync receipts, gateway checks, payment settings.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from parcelsync.db.base import BigId, UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("shipments") as batch:
        batch.add_column(sa.Column("order_value", sa.String(32), nullable=True))
        batch.add_column(sa.Column("currency", sa.String(3), nullable=True))
    op.create_table(
        "sync_receipts",
        sa.Column("id", BigId, primary_key=True, autoincrement=True),
        sa.Column("merchant_id", sa.String(64), nullable=False),
        sa.Column("provider", sa.String(20), nullable=False),
        sa.Column("target_key", sa.String(300), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("acknowledged_at", UTCDateTime(), nullable=False),
        sa.Column("request_id", sa.String(200), nullable=True),
        sa.Column("parcels", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sync_receipts"),
        sa.UniqueConstraint(
            "merchant_id", "provider", "target_key", "version",
            name="uq_sync_receipts_merchant_id_provider_target_key_version",
        ),
    )
    op.create_index("ix_sync_receipts_acknowledged_at", "sync_receipts", ["acknowledged_at"])
    op.create_table(
        "gateway_checks",
        sa.Column("merchant_id", sa.String(64), nullable=False),
        sa.Column("provider", sa.String(20), nullable=False),
        sa.Column("payment_intent_id", sa.String(128), nullable=False),
        sa.Column("checked_at", UTCDateTime(), nullable=False),
        sa.Column("hub_numbers", sa.JSON(), nullable=False),
        sa.Column("remote_numbers", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("merchant_id", "provider", "payment_intent_id", name="pk_gateway_checks"),
    )
    op.create_table(
        "payment_settings",
        sa.Column("merchant_id", sa.String(64), nullable=False),
        sa.Column("accept_within_hours", sa.Integer(), nullable=False),
        sa.Column("stuck_after_days", sa.Integer(), nullable=False),
        sa.Column("late_after_days", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name="fk_payment_settings_merchant_id_merchants", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("merchant_id", name="pk_payment_settings"),
    )


def downgrade() -> None:
    op.drop_table("payment_settings")
    op.drop_table("gateway_checks")
    op.drop_index("ix_sync_receipts_acknowledged_at", table_name="sync_receipts")
    op.drop_table("sync_receipts")
    with op.batch_alter_table("shipments") as batch:
        batch.drop_column("currency")
        batch.drop_column("order_value")
