"""The three kinds of destination parcelsync keeps in sync."""

from __future__ import annotations

from enum import StrEnum


class Provider(StrEnum):
    """A destination API a merchant can connect."""

    USEEPAY = "useepay"
    SHOPLINE = "shopline"
    TRACKINGMORE = "trackingmore"
    PAYPAL = "paypal"
    AFTERSHIP = "aftership"
