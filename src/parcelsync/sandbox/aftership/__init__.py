"""AfterShip Tracking API sandbox (2026-07): trackings, couriers, per-endpoint rate limits, signed webhooks."""

from parcelsync.sandbox.aftership.app import create_app
from parcelsync.sandbox.aftership.models import AfterShipState

__all__ = ["AfterShipState", "create_app"]
