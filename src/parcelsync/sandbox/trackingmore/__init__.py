"""TrackingMore API v2 sandbox: state, routes, webhooks, faults; never imports the client it emulates."""

from __future__ import annotations

from parcelsync.sandbox.trackingmore.app import create_app
from parcelsync.sandbox.trackingmore.models import DEFAULT_API_KEY, DEFAULT_EMAIL, TrackingMoreState

__all__ = ["DEFAULT_API_KEY", "DEFAULT_EMAIL", "TrackingMoreState", "create_app"]
