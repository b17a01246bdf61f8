"""Runtime configuration, read from `PARCELSYNC_*` environment variables once, in the app factory."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./parcelsync.db"


class Settings(BaseSettings):
    """Every knob parcelsync has; see the README's configuration table."""

    model_config = SettingsConfigDict(env_prefix="PARCELSYNC_", env_file=None, extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    secret_key: str | None = Field(default=None, repr=False)
    demo_mode: bool = False
    auto_migrate: bool = True
    admin_password: str | None = Field(default=None, repr=False)
    session_idle_timeout_s: int = Field(default=7200, ge=60)
    session_absolute_timeout_s: int = Field(default=43200, ge=60)
    trusted_proxies: str = ""
    log_format: str = "auto"
    log_level: str = "INFO"
    max_body_bytes: int = 2_000_000
    batch_max_items: int = 1000
    import_max_rows: int = 1_000_000
    import_max_row_bytes: int = 4096
    import_max_upload_bytes: int = 200_000_000
    metrics_public: bool = True
    metrics_token: str | None = Field(default=None, repr=False)
    worker_concurrency: int = 8
    worker_poll_interval_s: float = 0.5
    lease_seconds: float = 60.0
    max_attempts: int = 12
    backoff_base_s: float = 2.0
    backoff_cap_s: float = 600.0
    poll_interval_s: float = 300.0
    audit_retention_days: int = 30
    receipt_retention_days: int = 730
    webhook_max_age_s: float = 600.0
    public_base_url: str | None = None
    tracking_miss_floor_ms: float = 150.0
    tracking_lookups_per_address: int = 10
    tracking_lookups_per_merchant: int = 600
    tracking_lookup_window_s: int = 600
    event_retention_days: int = 30
    webhook_allow_private_urls: bool = False
    webhook_timeout_s: float = 10.0
    webhook_concurrency: int = 16
    webhook_retry_window_h: float = 26.0
    smtp_url: str | None = Field(default=None, repr=False)
    smtp_from: str = "parcelsync@localhost"
    housekeeping_interval_s: float = 60.0
    expected_min_samples: int = 5
    transit_refresh_interval_s: float = 3600.0
    allow_private_base_urls: bool = False
