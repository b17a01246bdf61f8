"""PayPal REST sandbox: OAuth 2.0 client credentials, Orders v2 tracking and the v1 trackers API."""

from parcelsync.sandbox.paypal.app import create_app
from parcelsync.sandbox.paypal.models import PayPalState

__all__ = ["PayPalState", "create_app"]
