"""SHOPLINE Admin Open API connector: write tracking onto a store's fulfillments (update_tracking)."""

from parcelsync.providers.shopline.client import (
    DEFAULT_API_VERSION,
    ShoplineClient,
    UpdateTrackingResult,
    default_base_url,
)
from parcelsync.providers.shopline.mapping import MAX_TRACKING_ENTRIES, TrackingEntry, build_body, build_entries
from parcelsync.providers.shopline.ratelimit import LeakyBucket, bucket_for

__all__ = [
    "DEFAULT_API_VERSION",
    "MAX_TRACKING_ENTRIES",
    "LeakyBucket",
    "ShoplineClient",
    "TrackingEntry",
    "UpdateTrackingResult",
    "bucket_for",
    "build_body",
    "build_entries",
    "default_base_url",
]
