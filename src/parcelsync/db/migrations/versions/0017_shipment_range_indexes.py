"""Partial indexes over live shipments for the range filters of the listing: number prefix and updated_since.

With the id order, `tracking_number_prefix` and `updated_since` seek these ranges, sort the (few)
matching ids and fetch only the page (db/queries/shipments.py). The number index uses
`text_pattern_ops` on PostgreSQL so that `LIKE 'prefix%'` can seek it under any collation.

Revision ID: 0017
Revises: 0014
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0015"
branch_labels = None
depends_on = None

LIVE = sa.text("deleted_at IS NULL")


def upgrade() -> None:
    op.create_index(
        "ix_shipments_live_number", "shipments", ["merchant_id", "tracking_number"],
        sqlite_where=LIVE, postgresql_where=LIVE, postgresql_ops={"tracking_number": "text_pattern_ops"},
    )
    op.create_index(
        "ix_shipments_live_updated", "shipments", ["merchant_id", "updated_at"], sqlite_where=LIVE,
        postgresql_where=LIVE,
    )


def downgrade() -> None:
    op.drop_index("ix_shipments_live_updated", table_name="shipments")
    op.drop_index("ix_shipments_live_number", table_name="shipments")
