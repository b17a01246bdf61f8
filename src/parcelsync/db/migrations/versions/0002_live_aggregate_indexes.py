"""Partial covering indexes over live shipments for the dashboard's aggregates.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

LIVE = sa.text("deleted_at IS NULL")
INDEXES = {
    "ix_shipments_live_status": ["merchant_id", "status"],
    "ix_shipments_live_ship_date": ["merchant_id", "ship_date"],
    "ix_shipments_live_delivered": ["merchant_id", "carrier", "delivered_at", "ship_date"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "shipments", columns, sqlite_where=LIVE, postgresql_where=LIVE)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, table_name="shipments")
