"""A merchant's default payment gateway (`payment_settings.default_payment_gateway`, optional).

Revision ID: 0020
Revises: 0017
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("payment_settings") as batch:
        batch.add_column(sa.Column("default_payment_gateway", sa.String(20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("payment_settings") as batch:
        batch.drop_column("default_payment_gateway")
