"""UseePay trackers API emulator: `create_app(state)` serves `/api/v2/shipping/trackers` at its root."""

from __future__ import annotations

from parcelsync.sandbox.useepay.app import create_app
from parcelsync.sandbox.useepay.models import MerchantAccount, StoredTracker, UseePayState

__all__ = ["MerchantAccount", "StoredTracker", "UseePayState", "create_app"]
