"""The tables. Every merchant-owned row carries `merchant_id`, and every query filters on it."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from parcelsync.db.base import Base, BigId, UTCDateTime, utcnow

LIVE = text("deleted_at IS NULL")
PENDING = text("state = 'pending'")


class MerchantRow(Base):
    __tablename__ = "merchants"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ConnectionRow(Base):
    """A merchant's link to one provider; credentials are encrypted at rest (db/crypto.py)."""

    __tablename__ = "connections"
    __table_args__ = (UniqueConstraint("merchant_id", "provider"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    merchant_id: Mapped[str] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(String(20))
    base_url: Mapped[str] = mapped_column(String(500))
    credentials_enc: Mapped[str] = mapped_column(Text, default="")
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    pause_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    poll_cursor: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    poll_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class CarrierOverrideRow(Base):
    """A merchant's own name for a carrier at one provider."""

    __tablename__ = "carrier_overrides"

    merchant_id: Mapped[str] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"), primary_key=True)
    provider: Mapped[str] = mapped_column(String(20), primary_key=True)
    carrier: Mapped[str] = mapped_column(String(64), primary_key=True)
    code: Mapped[str] = mapped_column(String(100))


class ShipmentRow(Base):
    """One parcel. Deletion is soft (`deleted_at`) so the deletion itself can be synced."""

    __tablename__ = "shipments"
    __table_args__ = (
        UniqueConstraint("merchant_id", "carrier", "tracking_number"),
        Index("ix_shipments_merchant_status_id", "merchant_id", "status", "id"),
        Index("ix_shipments_merchant_updated_id", "merchant_id", "updated_at", "id"),
        Index("ix_shipments_merchant_order", "merchant_id", "order_id", "fulfillment_id"),
        Index("ix_shipments_merchant_intent", "merchant_id", "payment_intent_id"),
        Index("ix_shipments_merchant_number", "merchant_id", "tracking_number"),
        Index("ix_shipments_merchant_email", "merchant_id", "customer_email"),
        Index("ix_shipments_merchant_carrier_id", "merchant_id", "carrier", "id"),
        # Partial covering indexes over live rows, for the dashboard's aggregates (index-only scans).
        Index("ix_shipments_live_status", "merchant_id", "status", sqlite_where=LIVE, postgresql_where=LIVE),
        Index("ix_shipments_live_ship_date", "merchant_id", "ship_date", sqlite_where=LIVE, postgresql_where=LIVE),
        # Range filters of the listing (number prefix, updated_since) over live rows: migration 0017.
        Index(
            "ix_shipments_live_number", "merchant_id", "tracking_number", sqlite_where=LIVE, postgresql_where=LIVE,
            postgresql_ops={"tracking_number": "text_pattern_ops"},
        ),
        Index("ix_shipments_live_updated", "merchant_id", "updated_at", sqlite_where=LIVE, postgresql_where=LIVE),
        Index(
            "ix_shipments_live_delivered",
            "merchant_id",
            "carrier",
            "delivered_at",
            "ship_date",
            sqlite_where=LIVE,
            postgresql_where=LIVE,
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    merchant_id: Mapped[str] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"))
    tracking_number: Mapped[str] = mapped_column(String(64))
    carrier: Mapped[str] = mapped_column(String(64))
    tracking_url: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    order_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    fulfillment_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    payment_intent_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    payment_gateway: Mapped[str | None] = mapped_column(String(20), nullable=True)
    title: Mapped[str | None] = mapped_column(String(500), nullable=True)
    logistics_channel: Mapped[str | None] = mapped_column(String(200), nullable=True)
    customer_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    customer_email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    customer_phone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    destination_country: Mapped[str | None] = mapped_column(String(2), nullable=True)
    ship_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    order_value: Mapped[str | None] = mapped_column(String(32), nullable=True)
    currency: Mapped[str | None] = mapped_column(String(3), nullable=True)
    status: Mapped[str] = mapped_column(String(32), default="pending")
    substatus: Mapped[str | None] = mapped_column(String(64), nullable=True)
    last_event: Mapped[str | None] = mapped_column(Text, nullable=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # Event time of the stored tracking status (newest checkpoint, else the provider's update time).
    status_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    version: Mapped[int] = mapped_column(Integer, default=1)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CheckpointRow(Base):
    """A scan event; unique per (shipment, time, description) so redeliveries add nothing."""

    __tablename__ = "checkpoints"
    __table_args__ = (UniqueConstraint("shipment_id", "time", "description"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"), index=True)
    time: Mapped[datetime] = mapped_column(UTCDateTime)
    description: Mapped[str] = mapped_column(String(1000))
    location: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str | None] = mapped_column(String(32), nullable=True)


class StatusEventRow(Base):
    """A change of a shipment's delivery status (time, from, to), for the status history."""

    __tablename__ = "status_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    shipment_id: Mapped[int] = mapped_column(ForeignKey("shipments.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    from_status: Mapped[str | None] = mapped_column(String(32), nullable=True)
    to_status: Mapped[str] = mapped_column(String(32))
    substatus: Mapped[str | None] = mapped_column(String(64), nullable=True)
    source: Mapped[str] = mapped_column(String(32), default="api")


class SyncTargetRow(Base):
    """The outbox: one row per destination key, with a desired and an acknowledged version.

    target_key: useepay = payment_intent_id; shopline = "order_id/fulfillment_id";
    trackingmore = "carrier/tracking_number" (canonical carrier). state is one of
    pending, synced, parked, dead, skipped. A worker holds a row while lease_owner is set and
    lease_expires_at is in the future; an expired lease is free to claim again. pending_since is when
    the target last entered the queue (attempts do not move it): the "oldest pending age".
    """

    __tablename__ = "sync_targets"
    __table_args__ = (
        UniqueConstraint("merchant_id", "provider", "target_key"),
        Index("ix_sync_targets_due", "provider", "state", "next_attempt_at"),
        Index("ix_sync_targets_merchant_state", "merchant_id", "state"),
        # Covers the sync-health counts by provider and state (index-only at millions of targets).
        Index("ix_sync_targets_merchant_provider_state", "merchant_id", "provider", "state"),
        # The claim query: the oldest due pending target, then its connection's other due targets.
        Index("ix_sync_targets_pending_due", "next_attempt_at", "id", sqlite_where=PENDING, postgresql_where=PENDING),
        Index(
            "ix_sync_targets_pending_group",
            "merchant_id",
            "provider",
            "next_attempt_at",
            "id",
            sqlite_where=PENDING,
            postgresql_where=PENDING,
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    merchant_id: Mapped[str] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(String(20))
    target_key: Mapped[str] = mapped_column(String(300))
    desired_version: Mapped[int] = mapped_column(Integer, default=1)
    acked_version: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    pending_since: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    lease_owner: Mapped[str | None] = mapped_column(String(100), nullable=True)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_outcome: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class AuditRow(Base):
    """One outbound provider call, redacted: what was sent, what came back, how long it took."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_merchant_at", "merchant_id", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    merchant_id: Mapped[str] = mapped_column(String(64))
    provider: Mapped[str] = mapped_column(String(20))
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(1000))
    status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    latency_ms: Mapped[float] = mapped_column(default=0.0)
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    trace_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    target_keys: Mapped[list[str]] = mapped_column(JSON, default=list)
    request_summary: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    response_summary: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class WebhookDeliveryRow(Base):
    """A webhook already processed, so a redelivery is harmless."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (UniqueConstraint("merchant_id", "provider", "delivery_key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    merchant_id: Mapped[str] = mapped_column(String(64))
    provider: Mapped[str] = mapped_column(String(20))
    delivery_key: Mapped[str] = mapped_column(String(200))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ApiTokenRow(Base):
    """An API token: only its SHA-256 hash is stored; merchant_id is None for admin tokens."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    merchant_id: Mapped[str | None] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"), nullable=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    scope: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class UserRow(Base):
    """A dashboard user (argon2 password hash); merchant_id None means an operator of every merchant."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    merchant_id: Mapped[str | None] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # admin (every merchant, merchant_id None), operator or viewer (one merchant): security/roles.py
    role: Mapped[str] = mapped_column(String(10), default="operator", server_default="operator")
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class WebSessionRow(Base):
    """A dashboard session (security/web_sessions.py): the id is the SHA-256 of the random token in the cookie.

    user_id None is a login with the admin password (which works only while no user exists).
    """

    __tablename__ = "web_sessions"
    __table_args__ = (Index("ix_web_sessions_user_id", "user_id"), Index("ix_web_sessions_created_at", "created_at"))

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=True)
    username: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(300), default="")
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class IdempotencyKeyRow(Base):
    """A stored response for an Idempotency-Key, scoped to the caller's token."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("scope", "key"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    scope: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(1000))
    body_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response_body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class RateCounterRow(Base):
    """A fixed-window rate counter (security/db_throttle.py): hits of one key in one window.

    `expires_at` is when no decision needs the row any more (the end of the window after it),
    so pruning is one indexed delete whatever the window lengths.
    """

    __tablename__ = "rate_counters"
    __table_args__ = (Index("ix_rate_counters_expires_at", "expires_at"),)

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_s: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TrackingPageRow(Base):
    """A merchant's buyer tracking page: branding, embedding and CORS origins, and `tracking_page_links`."""

    __tablename__ = "tracking_pages"

    merchant_id: Mapped[str] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"), primary_key=True)
    display_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    logo_url: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    accent_color: Mapped[str | None] = mapped_column(String(7), nullable=True)
    support_email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    message: Mapped[str | None] = mapped_column(String(500), nullable=True)
    cors_origins: Mapped[list[str]] = mapped_column(JSON, default=list)
    frame_ancestors: Mapped[list[str]] = mapped_column(JSON, default=list)
    tracking_page_links: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
class EventRow(Base):
    """Something that happened to a merchant's data, written in the transaction that made it happen."""

    __tablename__ = "events"
    __table_args__ = (
        Index("ix_events_merchant_id", "merchant_id", "id"),
        Index("ix_events_merchant_type_id", "merchant_id", "type", "id"),
        Index("ix_events_merchant_shipment_id", "merchant_id", "shipment_id", "id"),
        Index("ix_events_merchant_subject_id", "merchant_id", "subject", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    merchant_id: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(64))
    shipment_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    subject: Mapped[str | None] = mapped_column(String(400), nullable=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class WebhookEndpointRow(Base):
    """A merchant's receiver of outbound webhooks; the signing secrets are encrypted at rest."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    merchant_id: Mapped[str] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2048))
    description: Mapped[str] = mapped_column(String(200), default="")
    event_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    disabled_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    secret_enc: Mapped[str] = mapped_column(Text)
    previous_secret_enc: Mapped[str | None] = mapped_column(Text, nullable=True)
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OutboundDeliveryRow(Base):
    """The webhook outbox: one event for one endpoint, pending until delivered or dead (leased like sync targets)."""

    __tablename__ = "outbound_deliveries"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "event_id"),
        Index(
            "ix_outbound_deliveries_pending_due",
            "next_attempt_at",
            "id",
            sqlite_where=PENDING,
            postgresql_where=PENDING,
        ),
        Index("ix_outbound_deliveries_endpoint_created", "endpoint_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    merchant_id: Mapped[str] = mapped_column(String(64))
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_owner: Mapped[str | None] = mapped_column(String(100), nullable=True)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class OutboundAttemptRow(Base):
    """One try at delivering a webhook (or a test ping): when, which attempt, the answer and its first 1 KB."""

    __tablename__ = "outbound_attempts"
    __table_args__ = (Index("ix_outbound_attempts_endpoint_id", "endpoint_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    merchant_id: Mapped[str] = mapped_column(String(64))
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    delivery_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    event_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    message_id: Mapped[str] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[int | None] = mapped_column(Integer, nullable=True)
    latency_ms: Mapped[float] = mapped_column(default=0.0)
    response_excerpt: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class TransitStatRow(Base):
    """Transit days of a merchant's delivered parcels per carrier and destination ('' = every destination)."""

    __tablename__ = "transit_stats"

    merchant_id: Mapped[str] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"), primary_key=True)
    carrier: Mapped[str] = mapped_column(String(64), primary_key=True)
    destination_country: Mapped[str] = mapped_column(String(2), primary_key=True)
    samples: Mapped[int] = mapped_column(Integer)
    median_days: Mapped[int] = mapped_column(Integer)
    p90_days: Mapped[int] = mapped_column(Integer)
    refreshed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AlertSettingsRow(Base):
    """A merchant's alert rules (on by default, with thresholds), the address to mail and the digest switch."""

    __tablename__ = "alert_settings"

    merchant_id: Mapped[str] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"), primary_key=True)
    email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    daily_digest: Mapped[bool] = mapped_column(Boolean, default=True)
    rules: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MerchantChoresRow(Base):
    """Per-merchant housekeeping claims: one worker at a time evaluates a merchant's alerts and statistics."""

    __tablename__ = "merchant_chores"

    merchant_id: Mapped[str] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"), primary_key=True)
    lease_owner: Mapped[str | None] = mapped_column(String(100), nullable=True)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    transit_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    digest_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class AlertRow(Base):
    """One alert: a rule that holds for a subject; open or acknowledged until the cause goes away (resolved)."""

    __tablename__ = "alerts"
    __table_args__ = (
        Index("ix_alerts_merchant_state", "merchant_id", "state", "rule"),
        Index("ix_alerts_merchant_rule_subject", "merchant_id", "rule", "subject"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    merchant_id: Mapped[str] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"))
    rule: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(400))
    shipment_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    severity: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16), default="open")
    title: Mapped[str] = mapped_column(String(500))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
class SyncReceiptRow(Base):
    """Proof that a provider acknowledged one version of a target: when, under which request id, what was sent.

    Written only in the transaction that records the acknowledgement; kept for its own (longer)
    retention, so `audit prune` never takes the proof a dispute needs months later.
    `parcels` holds what was sent: [{tracking_number, carrier, tracking_url}, ...].
    """

    __tablename__ = "sync_receipts"
    __table_args__ = (UniqueConstraint("merchant_id", "provider", "target_key", "version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    merchant_id: Mapped[str] = mapped_column(String(64))
    provider: Mapped[str] = mapped_column(String(20))
    target_key: Mapped[str] = mapped_column(String(300))
    version: Mapped[int] = mapped_column(Integer)
    acknowledged_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    request_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    parcels: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class GatewayCheckRow(Base):
    """The last reconcile finding that a payment gateway holds other numbers than the hub for an intent."""

    __tablename__ = "gateway_checks"

    merchant_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    provider: Mapped[str] = mapped_column(String(20), primary_key=True)
    payment_intent_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    hub_numbers: Mapped[list[str]] = mapped_column(JSON, default=list)
    remote_numbers: Mapped[list[str]] = mapped_column(JSON, default=list)


class PaymentSettingsRow(Base):
    """A merchant's thresholds for "payment at risk" (defaults in payments/risk.py when no row)."""

    __tablename__ = "payment_settings"

    merchant_id: Mapped[str] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"), primary_key=True)
    accept_within_hours: Mapped[int] = mapped_column(Integer)
    stuck_after_days: Mapped[int] = mapped_column(Integer)
    late_after_days: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    default_payment_gateway: Mapped[str | None] = mapped_column(String(20), nullable=True)
    """Where a payment naming no gateway goes when several are connected (sync/gateways.py)."""


class InboundBackfillRow(Base):
    """A merchant's backfill from its store: the period, the stored cursor to resume from, and the counts.

    state: running (or interrupted: resumed from `cursor`), done, failed. One row per (merchant,
    provider): a new run over a finished one starts again from the first page.
    """

    __tablename__ = "inbound_backfills"
    __table_args__ = (UniqueConstraint("merchant_id", "provider"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    merchant_id: Mapped[str] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"))
    provider: Mapped[str] = mapped_column(String(20))
    since: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(16), default="running")
    cursor: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    fulfillments: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ActivityRow(Base):
    """Who changed what and when (activity/record.py); details never hold a secret.

    merchant_id None: a change outside any one merchant (an admin token, a merchant created).
    """

    __tablename__ = "activity"
    __table_args__ = (Index("ix_activity_merchant_id", "merchant_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    merchant_id: Mapped[str | None] = mapped_column(ForeignKey("merchants.id", ondelete="CASCADE"), nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_kind: Mapped[str] = mapped_column(String(10))
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(200))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
