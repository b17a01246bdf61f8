"""The operations dashboard: Jinja2 + htmx pages served by the same app under /dashboard."""

from __future__ import annotations

from parcelsync.web.app import PREFIX, Dashboard, mount_dashboard

__all__ = ["PREFIX", "Dashboard", "mount_dashboard"]
