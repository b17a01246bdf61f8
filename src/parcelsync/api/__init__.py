"""The REST API: `create_app(settings)` builds it."""

from parcelsync.api.app import create_app

__all__ = ["create_app"]
