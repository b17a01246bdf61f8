"""Events, outbound webhooks (endpoints, delivery outbox, log), transit statistics and alerts (issue 15).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 20:30:41.133688
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import parcelsync.db.base

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("merchant_id", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=64), nullable=False),
        sa.Column("shipment_id", sa.BigInteger(), nullable=True),
        sa.Column("subject", sa.String(length=400), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", parcelsync.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_created_at"), ["created_at"], unique=False)
        batch_op.create_index("ix_events_merchant_id", ["merchant_id", "id"], unique=False)
        batch_op.create_index("ix_events_merchant_shipment_id", ["merchant_id", "shipment_id", "id"], unique=False)
        batch_op.create_index("ix_events_merchant_subject_id", ["merchant_id", "subject", "id"], unique=False)
        batch_op.create_index("ix_events_merchant_type_id", ["merchant_id", "type", "id"], unique=False)

    op.create_table(
        "alert_settings",
        sa.Column("merchant_id", sa.String(length=64), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("daily_digest", sa.Boolean(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("updated_at", parcelsync.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_alert_settings_merchant_id_merchants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("merchant_id", name=op.f("pk_alert_settings")),
    )
    op.create_table(
        "alerts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("merchant_id", sa.String(length=64), nullable=False),
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=400), nullable=False),
        sa.Column("shipment_id", sa.BigInteger(), nullable=True),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("opened_at", parcelsync.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", parcelsync.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=100), nullable=True),
        sa.Column("resolved_at", parcelsync.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("notified_at", parcelsync.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_alerts_merchant_id_merchants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
    )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.create_index("ix_alerts_merchant_rule_subject", ["merchant_id", "rule", "subject"], unique=False)
        batch_op.create_index("ix_alerts_merchant_state", ["merchant_id", "state", "rule"], unique=False)

    op.create_table(
        "merchant_chores",
        sa.Column("merchant_id", sa.String(length=64), nullable=False),
        sa.Column("lease_owner", sa.String(length=100), nullable=True),
        sa.Column("lease_expires_at", parcelsync.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("transit_due_at", parcelsync.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("digest_due_at", parcelsync.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_merchant_chores_merchant_id_merchants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("merchant_id", name=op.f("pk_merchant_chores")),
    )
    op.create_table(
        "transit_stats",
        sa.Column("merchant_id", sa.String(length=64), nullable=False),
        sa.Column("carrier", sa.String(length=64), nullable=False),
        sa.Column("destination_country", sa.String(length=2), nullable=False),
        sa.Column("samples", sa.Integer(), nullable=False),
        sa.Column("median_days", sa.Integer(), nullable=False),
        sa.Column("p90_days", sa.Integer(), nullable=False),
        sa.Column("refreshed_at", parcelsync.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["merchant_id"], ["merchants.id"], name=op.f("fk_transit_stats_merchant_id_merchants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("merchant_id", "carrier", "destination_country", name=op.f("pk_transit_stats")),
    )
    op.create_table(
        "webhook_endpoints",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("merchant_id", sa.String(length=64), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("event_types", sa.JSON(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("disabled_reason", sa.Text(), nullable=True),
        sa.Column("secret_enc", sa.Text(), nullable=False),
        sa.Column("previous_secret_enc", sa.Text(), nullable=True),
        sa.Column("previous_secret_expires_at", parcelsync.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("failing_since", parcelsync.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", parcelsync.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", parcelsync.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["merchant_id"],
            ["merchants.id"],
            name=op.f("fk_webhook_endpoints_merchant_id_merchants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_endpoints")),
    )
    with op.batch_alter_table("webhook_endpoints", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_webhook_endpoints_merchant_id"), ["merchant_id"], unique=False)

    op.create_table(
        "outbound_attempts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("merchant_id", sa.String(length=64), nullable=False),
        sa.Column("endpoint_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("delivery_id", sa.BigInteger(), nullable=True),
        sa.Column("event_id", sa.BigInteger(), nullable=True),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("at", parcelsync.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("latency_ms", sa.Double(), nullable=False),
        sa.Column("response_excerpt", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["endpoint_id"],
            ["webhook_endpoints.id"],
            name=op.f("fk_outbound_attempts_endpoint_id_webhook_endpoints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbound_attempts")),
    )
    with op.batch_alter_table("outbound_attempts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbound_attempts_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbound_attempts_delivery_id"), ["delivery_id"], unique=False)
        batch_op.create_index("ix_outbound_attempts_endpoint_id", ["endpoint_id", "id"], unique=False)

    op.create_table(
        "outbound_deliveries",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("merchant_id", sa.String(length=64), nullable=False),
        sa.Column("endpoint_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", parcelsync.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("lease_owner", sa.String(length=100), nullable=True),
        sa.Column("lease_expires_at", parcelsync.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("queued_at", parcelsync.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", parcelsync.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", parcelsync.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["endpoint_id"],
            ["webhook_endpoints.id"],
            name=op.f("fk_outbound_deliveries_endpoint_id_webhook_endpoints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbound_deliveries")),
        sa.UniqueConstraint("endpoint_id", "event_id", name=op.f("uq_outbound_deliveries_endpoint_id_event_id")),
    )
    with op.batch_alter_table("outbound_deliveries", schema=None) as batch_op:
        batch_op.create_index("ix_outbound_deliveries_endpoint_created", ["endpoint_id", "created_at"], unique=False)
        batch_op.create_index(
            "ix_outbound_deliveries_pending_due",
            ["next_attempt_at", "id"],
            unique=False,
            sqlite_where=sa.text("state = 'pending'"),
            postgresql_where=sa.text("state = 'pending'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("outbound_deliveries", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_outbound_deliveries_pending_due",
            sqlite_where=sa.text("state = 'pending'"),
            postgresql_where=sa.text("state = 'pending'"),
        )
        batch_op.drop_index("ix_outbound_deliveries_endpoint_created")

    op.drop_table("outbound_deliveries")
    with op.batch_alter_table("outbound_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_outbound_attempts_endpoint_id")
        batch_op.drop_index(batch_op.f("ix_outbound_attempts_delivery_id"))
        batch_op.drop_index(batch_op.f("ix_outbound_attempts_at"))

    op.drop_table("outbound_attempts")
    with op.batch_alter_table("webhook_endpoints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_endpoints_merchant_id"))

    op.drop_table("webhook_endpoints")
    op.drop_table("transit_stats")
    op.drop_table("merchant_chores")
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index("ix_alerts_merchant_state")
        batch_op.drop_index("ix_alerts_merchant_rule_subject")

    op.drop_table("alerts")
    op.drop_table("alert_settings")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_merchant_type_id")
        batch_op.drop_index("ix_events_merchant_subject_id")
        batch_op.drop_index("ix_events_merchant_shipment_id")
        batch_op.drop_index("ix_events_merchant_id")
        batch_op.drop_index(batch_op.f("ix_events_created_at"))

    op.drop_table("events")
