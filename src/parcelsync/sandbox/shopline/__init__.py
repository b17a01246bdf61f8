"""SHOPLINE Admin Open API sandbox: update_tracking (v20250601 and v20260301) with stores, orders and limits."""

from parcelsync.sandbox.shopline.app import create_app
from parcelsync.sandbox.shopline.models import ShoplineState

__all__ = ["ShoplineState", "create_app"]
